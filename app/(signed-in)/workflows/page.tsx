// Every workflow: deployed ones and drafts never deployed, with where each stands.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import Link from "next/link";
import { listWorkflows } from "../../lib/api/workflows.ts";
import { signedIn } from "../../lib/signed-in.ts";
import { withQuery, workflowPath } from "../../lib/paths.ts";
import { LocalTime } from "../../ui/local-time.tsx";
import { WorkflowActions, type Example } from "../../ui/designer/workflow-actions.tsx";

/** The example documents shipped in examples/, to start a new workflow from. */
function examples(): Example[] {
  const dir = path.join(process.cwd(), "examples");
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((file) => {
        const document = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
        return { file, title: typeof document.title === "string" ? document.title : document.name, document };
      });
  } catch {
    return [];
  }
}

export const metadata = { title: "Workflows" };

export default async function WorkflowsPage() {
  const caller = await signedIn("/workflows");
  const workflows = await listWorkflows();
  const mayDesign = caller.roles.includes("admin") || caller.roles.includes("designer");
  return (
    <>
      <div className="page-head">
        <h1>Workflows</h1>
        <p className="muted">The processes drawn in Weft, with their newest version and the runs still open.</p>
      </div>
      {mayDesign ? <WorkflowActions examples={examples()} /> : null}
      {workflows.length === 0 ? (
        <div className="empty">
          <h2>No workflows yet</h2>
          <p>
            Draw a new one, import a document, or deploy one from the command line: for example <code>npx weft deploy examples/order-item.json</code>.
          </p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Workflows</caption>
            <thead>
              <tr>
                <th scope="col">Workflow</th>
                <th scope="col">Latest version</th>
                <th scope="col" className="num">
                  Open runs
                </th>
                <th scope="col">Last edit</th>
              </tr>
            </thead>
            <tbody>
              {workflows.map((w) => (
                <tr key={w.name}>
                  <th scope="row">
                    <Link href={workflowPath(w.name)} className="row-link">
                      {w.title || w.name}
                    </Link>
                    {w.title && w.title !== w.name ? <span className="sub mono">{w.name}</span> : null}
                  </th>
                  <td>{w.latestVersion === null ? <span className="muted">not deployed</span> : `version ${w.latestVersion}`}</td>
                  <td className="num">
                    {w.openRuns > 0 ? (
                      <Link href={withQuery("/runs", { status: "running", name: w.name })} aria-label={`${w.openRuns} open runs of ${w.title || w.name}`}>
                        {w.openRuns}
                      </Link>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                  <td className="nowrap">
                    <LocalTime iso={w.updatedAt} />
                    {w.updatedBy ? <span className="muted"> by {w.updatedBy}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
