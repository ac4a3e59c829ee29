// People and their roles, for admins: add, change roles, reset passwords, remove, tokens.
import Link from "next/link";
import { list as listPeople } from "../../lib/api/people.ts";
import { signedIn } from "../../lib/signed-in.ts";
import { PeopleAdmin } from "../../ui/people-admin.tsx";

export const metadata = { title: "People" };

export default async function PeoplePage() {
  const caller = await signedIn("/people");
  if (!caller.roles.includes("admin")) {
    return (
      <div className="page-narrow">
        <h1>People</h1>
        <div className="alert alert-warning">
          <p>
            <strong>Only admins can manage people.</strong> You are signed in as {caller.displayName} ({caller.name}), without the admin role.
          </p>
          <p>If you need someone added or a role changed, ask an admin.</p>
        </div>
        <p>
          <Link href="/workflows">Back to the workflows</Link>
        </p>
      </div>
    );
  }
  const people = await listPeople(caller);
  return (
    <>
      <div className="page-head">
        <h1>People</h1>
        <p className="muted">
          Who can sign in, and their roles: <strong>admin</strong> (everything, people included), <strong>designer</strong> (edit and deploy
          workflows), <strong>operator</strong> (start, cancel and retry runs). Any other role, such as finance, exists to be named in an
          approval.
        </p>
      </div>
      <PeopleAdmin initial={people} me={caller.name} />
    </>
  );
}
