// Sign-in: the one page open to everyone. Someone already signed in goes straight on.
import { redirect } from "next/navigation";
import { currentCaller } from "../lib/signed-in.ts";
import { safeNext } from "../lib/paths.ts";
import { SignInForm } from "./sign-in-form.tsx";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next);
  if (await currentCaller()) redirect(next);
  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <p className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Weft
        </p>
        <h1>Sign in</h1>
        <p className="muted">Draw business processes, follow their runs and decide approvals.</p>
        <SignInForm next={next} />
        <p className="muted small">No account yet? Ask an admin of Weft to add you.</p>
      </div>
    </main>
  );
}
