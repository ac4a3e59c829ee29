// A workflow's designer: its draft (else its newest version's document) on a canvas, with the
// palette of node kinds and registered activities, the inspector, problems, code and versions.
// People without the designer role see the same page read-only.

import { notFound } from "next/navigation";
import { WORKFLOW_NAME } from "../../../lib/http.ts";
import { activities as listActivities, getDraftDocument, versions as listVersions } from "../../../lib/api/workflows.ts";
import { signedIn } from "../../../lib/signed-in.ts";
import { orNotFound } from "../../../lib/page-data.ts";
import { param, workflowPath } from "../../../lib/paths.ts";
import { DesignerPage } from "../../../ui/designer/designer-page.tsx";
import type { WorkflowDocument } from "../../../../compiler/document.ts";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props) {
  return { title: param((await params).name) };
}

export default async function WorkflowPage({ params, searchParams }: Props) {
  const name = param((await params).name);
  // `restored=N`: version N was just restored as the draft (from a run's page or the compare page).
  const restored = (await searchParams).restored;
  const caller = await signedIn(workflowPath(name));
  if (!WORKFLOW_NAME.test(name)) notFound();
  // The document without the server's diagnostics: the page's compile worker checks it.
  const [draft, versions, activities] = await Promise.all([orNotFound(getDraftDocument(name)), orNotFound(listVersions(name)), listActivities()]);
  const has = (role: string) => caller.roles.includes("admin") || caller.roles.includes(role);
  const raw = draft.document as Partial<WorkflowDocument> | null;
  // A stored document is well-formed JSON but may lack parts; the designer needs the arrays.
  const document = {
    ...(raw && typeof raw === "object" ? raw : {}),
    name: typeof raw?.name === "string" ? raw.name : name,
    nodes: Array.isArray(raw?.nodes) ? raw.nodes : [],
    edges: Array.isArray(raw?.edges) ? raw.edges : [],
  } as WorkflowDocument;
  return (
    <DesignerPage
      name={name}
      document={document}
      etag={draft.etag}
      versions={versions}
      activities={activities.map((a) => ({ name: a.name, title: a.title || a.name, ...(a.inputSchema !== undefined ? { inputSchema: a.inputSchema } : {}) }))}
      canEdit={has("designer")}
      canRun={has("operator")}
      {...(typeof restored === "string" && /^[1-9][0-9]{0,8}$/.test(restored) && versions.some((v) => v.version === Number(restored)) ? { restored: Number(restored) } : {})}
    />
  );
}
