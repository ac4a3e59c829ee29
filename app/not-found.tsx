import Link from "next/link";

export const metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main id="main" className="page page-narrow">
      <h1>There is nothing here</h1>
      <p>This page does not exist, or what it showed was removed.</p>
      <p>
        <Link href="/workflows">Go to the workflows</Link>
      </p>
    </main>
  );
}
