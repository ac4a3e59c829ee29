// Where a page sits, above its title: "Workflows / Transfer /", each step back a link (the page
// itself is its h1, after). The one markup of every page's breadcrumb.
import Link from "next/link";
import { Fragment, type ReactNode } from "react";

export interface Crumb {
  href: string;
  label: ReactNode;
}

export function Breadcrumb({ trail }: { trail: readonly Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      {trail.map((crumb) => (
        <Fragment key={crumb.href}>
          <Link href={crumb.href}>{crumb.label}</Link>
          <span aria-hidden="true"> / </span>
        </Fragment>
      ))}
    </nav>
  );
}
