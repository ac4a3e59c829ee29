// Every page's breadcrumb is one component (app/ui/breadcrumb.tsx): no page writes the markup
// itself, and the component gives the trail as links, each followed by a separator that screen
// readers skip.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Breadcrumb } from "../../app/ui/breadcrumb.tsx";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const COMPONENT = "app/ui/breadcrumb.tsx";

function tsxUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".tsx"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

describe("breadcrumbs", () => {
  it("are drawn by the one component: no other file writes their markup", () => {
    const files = tsxUnder("app");
    const own = files.filter((f) => f !== COMPONENT && /aria-label="Breadcrumb"|className="breadcrumb"/.test(readFileSync(path.join(root, f), "utf8")));
    expect(own).toEqual([]);
    // And the pages that show one use it.
    const users = files.filter((f) => /<Breadcrumb\b/.test(readFileSync(path.join(root, f), "utf8")));
    expect(users.length).toBeGreaterThanOrEqual(5);
  });

  it("give the trail as links, each followed by a separator hidden from screen readers", () => {
    const html = renderToStaticMarkup(
      createElement(Breadcrumb, {
        trail: [
          { href: "/workflows", label: "Workflows" },
          { href: "/workflows/money-transfer", label: "Money transfer" },
        ],
      }),
    );
    expect(html).toBe(
      '<nav aria-label="Breadcrumb" class="breadcrumb"><a href="/workflows">Workflows</a><span aria-hidden="true"> / </span><a href="/workflows/money-transfer">Money transfer</a><span aria-hidden="true"> / </span></nav>',
    );
  });
});
