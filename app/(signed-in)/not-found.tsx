import Link from "next/link";

export default function NotFoundHere() {
  return (
    <div className="page-narrow">
      <h1>There is nothing here</h1>
      <p>No workflow or run goes by this name: it may have been mistyped, or never existed here.</p>
      <p>
        <Link href="/workflows">See the workflows</Link> or <Link href="/runs">the runs</Link>.
      </p>
    </div>
  );
}
