"use client";
// The sign-in form. A refusal is said in words next to the fields, the name stays filled in
// and the password field gets the focus back, ready for a second try.
import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { callApi } from "../lib/client-api.ts";

export function SignInForm({ next }: { next: string }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!name.trim()) {
      setError("Enter your name (the one you sign in with, such as ada).");
      nameRef.current?.focus();
      return;
    }
    if (!password) {
      setError("Enter your password.");
      passwordRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await callApi("POST", "/api/session", { name: name.trim(), password });
    if (result.ok) {
      router.replace(next);
      router.refresh();
      return;
    }
    setBusy(false);
    setPassword("");
    setError(
      result.status === 401
        ? "That name and password do not match. Check both and try again."
        : result.status === 429
          ? "Too many failed attempts. Wait a few minutes, then try again."
          : result.message,
    );
    passwordRef.current?.focus();
  }

  return (
    <form onSubmit={submit} noValidate className="form">
      {error ? (
        <p role="alert" className="alert alert-error" id="sign-in-error">
          {error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="name">Name</label>
        <input
          ref={nameRef}
          id="name"
          name="name"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-describedby={error ? "sign-in-error" : undefined}
          required
        />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          ref={passwordRef}
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-describedby={error ? "sign-in-error" : undefined}
          required
        />
      </div>
      <button type="submit" className="button button-primary button-wide" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
