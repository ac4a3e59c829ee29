"use client";
// The sections of the app; the one the reader is in carries aria-current="page".
import Link from "next/link";
import { usePathname } from "next/navigation";

export function MainNav({ admin }: { admin: boolean }) {
  const pathname = usePathname();
  const links = [
    { href: "/workflows", label: "Workflows" },
    { href: "/runs", label: "Runs" },
    { href: "/approvals", label: "Approvals" },
    { href: "/outbox", label: "Outbox" },
    ...(admin ? [{ href: "/people", label: "People" }] : []),
  ];
  return (
    <nav aria-label="Main" className="main-nav">
      <ul>
        {links.map((link) => {
          const current = pathname === link.href || pathname.startsWith(`${link.href}/`);
          return (
            <li key={link.href}>
              <Link href={link.href} aria-current={current ? "page" : undefined}>
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
