"use client";
// Signs out (the session ends on the server, not just in this browser) and goes to sign-in.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi } from "../lib/client-api.ts";

export function SignOutButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function signOut() {
    setBusy(true);
    setError(undefined);
    const result = await callApi("DELETE", "/api/session");
    if (!result.ok && result.status !== 401) {
      setBusy(false);
      setError(result.message);
      return;
    }
    router.replace("/sign-in");
    router.refresh();
  }
  return (
    <>
      <button type="button" className="button button-quiet" onClick={signOut} disabled={busy}>
        Sign out
      </button>
      {error ? (
        <p role="alert" className="header-error">
          {error}
        </p>
      ) : null}
    </>
  );
}
