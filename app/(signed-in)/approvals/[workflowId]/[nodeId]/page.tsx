// A decision link, as sent by e-mail: the one approval with its buttons. Opening it (a GET)
// decides nothing, since mail scanners follow links; only pressing Approve or Decline does.
// Someone who may not decide it is told why and sees no buttons.
import Link from "next/link";
import { notFound } from "next/navigation";
import { WORKFLOW_ID } from "../../../../lib/http.ts";
import { approval } from "../../../../lib/api/approvals.ts";
import { signedIn } from "../../../../lib/signed-in.ts";
import { orNothing } from "../../../../lib/page-data.ts";
import { approvalPath, param, runPath } from "../../../../lib/paths.ts";
import { DecisionPage } from "../../../../ui/decision-page.tsx";
import { Breadcrumb } from "../../../../ui/breadcrumb.tsx";

type Props = { params: Promise<{ workflowId: string; nodeId: string }> };

export const metadata = { title: "Decision" };

export default async function ApprovalPage({ params }: Props) {
  const p = await params;
  const workflowId = param(p.workflowId);
  const nodeId = param(p.nodeId);
  const caller = await signedIn(approvalPath(workflowId, nodeId));
  if (!WORKFLOW_ID.test(workflowId)) notFound();
  const view = await orNothing(approval(caller, workflowId, nodeId));
  return (
    <div className="decision-page">
      <Breadcrumb trail={[{ href: "/approvals", label: "Approvals" }]} />
      <div className="page-head">
        <h1>Decision</h1>
      </div>
      {!view ? (
        <div className="empty">
          <h2>This approval is not waiting for a decision</h2>
          <p>
            It was decided already, it timed out, or the run ended. See what happened on the run’s page:{" "}
            <Link href={runPath(workflowId)} className="mono">
              {workflowId}
            </Link>
            .
          </p>
        </div>
      ) : view.decided ? (
        <DecisionPage item={view.approval} me={caller.name} decided={view.decided} />
      ) : view.mayDecide ? (
        <DecisionPage item={view.approval} me={caller.name} />
      ) : (
        <div className="empty">
          <h2>You may not decide this approval</h2>
          <p>{view.reason}</p>
          <p>
            The run:{" "}
            <Link href={runPath(workflowId)} className="mono">
              {workflowId}
            </Link>
          </p>
        </div>
      )}
    </div>
  );
}
