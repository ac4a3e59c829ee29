"use client";
// What a page shows when it could not be made: what happened in words, and a way to retry.
// The details are in the server's log, under the digest shown here.

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="page-narrow">
      <h1>This page could not be shown</h1>
      <p role="alert" className="alert alert-error">
        Something went wrong while loading it{error.digest ? ` (reference ${error.digest})` : ""}. Try again; if it keeps
        happening, tell whoever runs Weft and give them the reference.
      </p>
      <button type="button" className="button button-primary" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
