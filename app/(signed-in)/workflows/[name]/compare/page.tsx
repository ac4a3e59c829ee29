// Two versions of a workflow side by side (either may be the current draft): the drawing with
// what was added, removed and changed, the changed fields in words, and the generated code's diff.
import { notFound } from "next/navigation";
import type { WorkflowDocument } from "../../../../../compiler/document.ts";
import { WORKFLOW_NAME } from "../../../../lib/http.ts";
import { getDraftDocument, version as getVersion, versions as listVersions } from "../../../../lib/api/workflows.ts";
import { signedIn } from "../../../../lib/signed-in.ts";
import { orNotFound } from "../../../../lib/page-data.ts";
import { mayDesign } from "../../../../lib/roles.ts";
import { drawingOf } from "../../../../lib/present.ts";
import { param, withQuery, workflowPath } from "../../../../lib/paths.ts";
import { ComparePage, type Side } from "../../../../ui/designer/compare-page.tsx";
import { Breadcrumb } from "../../../../ui/breadcrumb.tsx";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props) {
  return { title: `Compare versions of ${param((await params).name)}` };
}

/** A stored document with the arrays the drawing needs, whatever it lacks. */
function asDocument(raw: unknown, name: string): WorkflowDocument {
  const d = (raw && typeof raw === "object" ? raw : {}) as Partial<WorkflowDocument>;
  return { ...d, name: typeof d.name === "string" ? d.name : name, nodes: Array.isArray(d.nodes) ? d.nodes : [], edges: Array.isArray(d.edges) ? d.edges : [] } as WorkflowDocument;
}

export default async function CompareVersionsPage({ params, searchParams }: Props) {
  const name = param((await params).name);
  const query = await searchParams;
  const asked = (key: string) => (typeof query[key] === "string" ? (query[key] as string) : undefined);
  const caller = await signedIn(withQuery(`${workflowPath(name)}/compare`, { from: asked("from"), to: asked("to") }));
  if (!WORKFLOW_NAME.test(name)) notFound();
  const [versions, draft] = await Promise.all([orNotFound(listVersions(name)), orNotFound(getDraftDocument(name))]);
  const numbers = versions.map((v) => v.version).sort((a, b) => b - a);
  const pick = (text: string | undefined, fallback: number | "draft"): number | "draft" => {
    if (text === "draft") return "draft";
    const n = Number(text);
    return numbers.includes(n) ? n : fallback;
  };
  // By default: what the draft changes since the newest version.
  const from = pick(asked("from"), numbers[0] ?? "draft");
  const to = pick(asked("to"), "draft");
  const side = async (which: number | "draft"): Promise<Side> => {
    if (which === "draft") return { key: "draft", label: "the current draft", document: asDocument(draft.document, name) };
    const v = await orNotFound(getVersion(name, which));
    return { key: String(which), label: `version ${which}`, document: asDocument(v.document, name), code: v.code };
  };
  const [before, after] = await Promise.all([side(from), side(to)]);
  const title = drawingOf(draft.document).title ?? name;
  return (
    <>
      <Breadcrumb
        trail={[
          { href: "/workflows", label: "Workflows" },
          { href: workflowPath(name), label: title },
        ]}
      />
      <div className="page-head">
        <h1>Compare versions</h1>
        <p className="muted">What changed from one version of {title} to another: on the drawing, field by field, and in the generated code.</p>
      </div>
      <ComparePage name={name} versions={numbers} before={before} after={after} canEdit={mayDesign(caller)} />
    </>
  );
}
