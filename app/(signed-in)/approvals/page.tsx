// The approvals inbox: what waits for the signed-in person's decision (named in an approval,
// or holding a role named there), oldest first.
import { pending } from "../../lib/api/approvals.ts";
import { signedIn } from "../../lib/signed-in.ts";
import { ApprovalsInbox } from "../../ui/approvals-inbox.tsx";

export const metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const caller = await signedIn("/approvals");
  const approvals = await pending(caller);
  const roles = caller.roles.filter((r) => r !== "admin" && r !== "designer");
  return (
    <>
      <div className="page-head">
        <h1>Approvals</h1>
        <p className="muted">
          Decisions that wait for you{roles.length ? ` or for ${roles.length === 1 ? "the role" : "your roles"} ${roles.join(", ")}` : ""}, oldest first.
        </p>
      </div>
      <ApprovalsInbox initial={approvals} />
    </>
  );
}
