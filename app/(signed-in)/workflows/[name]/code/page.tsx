// The TypeScript module a deployed version compiled to, for developers to read and copy.
import Link from "next/link";
import { notFound } from "next/navigation";
import { WORKFLOW_NAME } from "../../../../lib/http.ts";
import { version as getVersion, versions as listVersions } from "../../../../lib/api/workflows.ts";
import { signedIn } from "../../../../lib/signed-in.ts";
import { orNotFound } from "../../../../lib/page-data.ts";
import { drawingOf } from "../../../../lib/present.ts";
import { param, withQuery, workflowPath } from "../../../../lib/paths.ts";
import { Breadcrumb } from "../../../../ui/breadcrumb.tsx";

type Props = { params: Promise<{ name: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props) {
  return { title: `Code of ${param((await params).name)}` };
}

export default async function CodePage({ params, searchParams }: Props) {
  const name = param((await params).name);
  const asked = (await searchParams).version;
  await signedIn(withQuery(`${workflowPath(name)}/code`, { version: typeof asked === "string" ? asked : undefined }));
  if (!WORKFLOW_NAME.test(name)) notFound();
  const versions = await orNotFound(listVersions(name));
  const newest = Math.max(0, ...versions.map((v) => v.version));
  const wanted = typeof asked === "string" && /^\d+$/.test(asked) ? Number(asked) : newest;
  const shown = versions.some((v) => v.version === wanted) ? await orNotFound(getVersion(name, wanted)) : undefined;
  const title = shown ? (drawingOf(shown.document).title ?? name) : name;
  return (
    <>
      <Breadcrumb
        trail={[
          { href: "/workflows", label: "Workflows" },
          { href: workflowPath(name), label: title },
        ]}
      />
      <div className="page-head">
        <h1>Code</h1>
        {shown ? (
          <p className="muted">
            The TypeScript module that version {shown.version} of {title} compiled to
            {shown.version === newest ? " (the newest version)" : ""}. Hash <code>{shown.hash.replace(/^sha256:/, "").slice(0, 12)}</code>.
          </p>
        ) : null}
      </div>
      {!shown ? (
        <div className="empty">
          <h2>{versions.length === 0 ? "Not deployed yet" : `There is no version ${wanted}`}</h2>
          <p>
            {versions.length === 0
              ? "The code appears here once the workflow is deployed."
              : `Pick one of the versions: ${versions.map((v) => v.version).join(", ")}.`}
          </p>
        </div>
      ) : (
        <>
          {versions.length > 1 ? (
            <nav aria-label="Versions" className="tabs">
              {[...versions]
                .sort((a, b) => b.version - a.version)
                .map((v) => (
                  <Link
                    key={v.version}
                    href={withQuery(`${workflowPath(name)}/code`, { version: String(v.version) })}
                    aria-current={v.version === shown.version ? "page" : undefined}
                  >
                    Version {v.version}
                  </Link>
                ))}
            </nav>
          ) : null}
          <pre className="code" role="region" tabIndex={0} aria-label={`Generated TypeScript of version ${shown.version}`}>
            <code>{shown.code}</code>
          </pre>
        </>
      )}
    </>
  );
}
