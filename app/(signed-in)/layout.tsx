// The frame of every page behind sign-in: a skip link, the header with the sections, who is
// signed in and a way out, and the main landmark. Each page checks the sign-in itself (it knows
// its own path, for coming back after signing in); without a caller this frame stays empty.

import Link from "next/link";
import type { ReactNode } from "react";
import { currentCaller } from "../lib/signed-in.ts";
import { MainNav } from "../ui/main-nav.tsx";
import { SignOutButton } from "../ui/sign-out-button.tsx";

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const caller = await currentCaller();
  if (!caller) return <>{children}</>;
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to main content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link href="/workflows" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Weft
          </Link>
          <MainNav admin={caller.roles.includes("admin")} />
          <div className="who">
            <span className="who-name" title={`Signed in as ${caller.name}`}>
              {caller.displayName}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="page">
        {children}
      </main>
    </>
  );
}
