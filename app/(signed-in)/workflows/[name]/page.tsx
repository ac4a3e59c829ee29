// One workflow, read-only for now (the designer takes this page over): its title, its
// deployed versions, the nodes of its drawing by label, and a way to its generated code.
import Link from "next/link";
import { notFound } from "next/navigation";
import { WORKFLOW_NAME } from "../../../lib/http.ts";
import { getDraft, versions as listVersions } from "../../../lib/api/workflows.ts";
import { signedIn } from "../../../lib/signed-in.ts";
import { orNotFound } from "../../../lib/page-data.ts";
import { drawingOf, nodeKind, nodeLabel } from "../../../lib/present.ts";
import { param, withQuery, workflowPath } from "../../../lib/paths.ts";
import { LocalTime } from "../../../ui/local-time.tsx";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props) {
  return { title: param((await params).name) };
}

export default async function WorkflowPage({ params }: Props) {
  const name = param((await params).name);
  await signedIn(workflowPath(name));
  if (!WORKFLOW_NAME.test(name)) notFound();
  const [draft, versions] = await Promise.all([orNotFound(getDraft(name)), orNotFound(listVersions(name))]);
  const drawing = drawingOf(draft.document);
  const title = drawing.title ?? name;
  const newest = versions.reduce<number | undefined>((max, v) => (max === undefined || v.version > max ? v.version : max), undefined);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/workflows">Workflows</Link>
        <span aria-hidden="true"> / </span>
      </nav>
      <div className="page-head page-head-row">
        <div>
          <h1>{title}</h1>
          <p className="muted mono">{name}</p>
        </div>
        <div className="actions">
          {newest !== undefined ? (
            <Link className="button" href={`${workflowPath(name)}/code`}>
              Code
            </Link>
          ) : null}
          <Link className="button" href={withQuery("/runs", { name })}>
            Runs
          </Link>
        </div>
      </div>

      <div className="columns">
        <section aria-labelledby="nodes-heading" className="panel">
          <h2 id="nodes-heading">Drawing</h2>
          {drawing.nodes.length === 0 ? (
            <p className="muted">This drawing has no nodes yet.</p>
          ) : (
            <ol className="node-list">
              {drawing.nodes.map((node) => (
                <li key={node.id} className="node" data-kind={node.type}>
                  <span className="node-label">{nodeLabel(node, node.id)}</span>
                  <span className="node-kind">{nodeKind(node)}</span>
                </li>
              ))}
            </ol>
          )}
          {draft.errors.length > 0 ? (
            <div className="alert alert-warning">
              <p>
                The draft has {draft.errors.length} {draft.errors.length === 1 ? "problem" : "problems"} to fix before it can be deployed:
              </p>
              <ul>
                {draft.errors.map((e, i) => (
                  <li key={i}>
                    <strong>{nodeLabel(drawing.nodes.find((n) => n.id === e.id), e.id)}</strong>: {e.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </section>

        <section aria-labelledby="versions-heading" className="panel">
          <h2 id="versions-heading">Versions</h2>
          {versions.length === 0 ? (
            <p className="muted">Not deployed yet. Deploy it to start runs: <code>npx weft deploy {name}.json</code>.</p>
          ) : (
            <ol className="version-list" reversed>
              {[...versions]
                .sort((a, b) => b.version - a.version)
                .map((v) => (
                  <li key={v.version}>
                    <Link href={withQuery(`${workflowPath(name)}/code`, { version: String(v.version) })}>Version {v.version}</Link>
                    <span className="muted">
                      {" "}
                      deployed <LocalTime iso={v.deployedAt} />
                      {v.deployedBy ? ` by ${v.deployedBy}` : ""}
                    </span>
                  </li>
                ))}
            </ol>
          )}
        </section>
      </div>
    </>
  );
}
