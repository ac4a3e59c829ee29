// Browser tests drive Debian's Chromium through playwright-core, as a person would: by role
// and accessible name. Every test gets a fresh context and page that fail it on any console
// error, any uncaught page error and any request to a host other than the app's; each step is
// photographed (light and dark) under test/.artifacts/ and checked with axe (every rule in the
// light theme, colour contrast again in the dark one).

import { mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.artifacts");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-quic",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);

export interface BrowserSession {
  page: Page;
  context: BrowserContext;
  /** Screenshots (light and dark) and an accessibility scan of the page as it is now. */
  step(name: string, page?: Page): Promise<void>;
  /** A console error that is expected (a refused sign-in's 401, say): matching ones are not failures. */
  allowConsoleError(pattern: RegExp): void;
  /**
   * An axe rule that a contract overrides on some elements (matched by their selector): the
   * designer's nodes carry aria-selected on role group, as DESIGN.md's landmarks require,
   * which ARIA 1.2 lists for other roles only.
   */
  allowAxe(rule: string, target: RegExp): void;
  /** Another page in the same context (same person), under the same watch. */
  newPage(): Promise<Page>;
  /** Fails on what was seen (console errors, foreign requests, page errors), then closes. */
  close(): Promise<void>;
}

/**
 * A fresh signed-out browser context on the app at `baseUrl`. `name` names the folder of the
 * screenshots: test/.artifacts/<name>/NN-<step>.png (and NN-<step>-dark.png).
 */
export async function openSession(browser: Browser, baseUrl: string, name: string): Promise<BrowserSession> {
  const origin = new URL(baseUrl).origin;
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: Number(process.env.E2E_WIDTH ?? 1280), height: 860 }, colorScheme: "light", locale: "en-GB", timezoneId: "Europe/Berlin" });
  const problems: string[] = [];
  const allowed: RegExp[] = [];
  const axeAllowed: { rule: string; target: RegExp }[] = [];
  const folder = path.join(ARTIFACTS, slug(name));
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  let count = 0;

  // Nothing leaves the machine: any request to another host fails the test (and is not sent).
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || url.startsWith("blob:") || new URL(url).origin === origin) return route.continue();
    problems.push(`a request to another host: ${route.request().method()} ${url}`);
    return route.abort("blockedbyclient");
  });

  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = `${message.text()} (${message.location().url})`;
      if (allowed.some((p) => p.test(text))) return;
      problems.push(`console error on ${page.url()}: ${text}`);
    });
    page.on("pageerror", (error) => problems.push(`uncaught error on ${page.url()}: ${error.message}`));
  };
  const page = await context.newPage();
  watch(page);

  async function scan(target: Page, scheme: "light" | "dark", label: string) {
    // Every rule in the light theme; in the dark one only colours differ, so only contrast is checked again.
    const builder = new AxeBuilder({ page: target });
    const results = await (scheme === "dark" ? builder.withRules(["color-contrast", "link-in-text-block"]) : builder).analyze();
    for (const v of results.violations) {
      const seen = v.nodes.filter((n) => !axeAllowed.some((a) => a.rule === v.id && a.target.test(n.target.join(" "))) && !canvasNodeSelection(v.id, n));
      if (seen.length === 0) continue;
      const nodes = seen
        .slice(0, 3)
        .map((n) => `${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ") ?? ""}`)
        .join(" | ");
      problems.push(`axe (${scheme}) on "${label}" (${target.url()}): ${v.id} [${v.impact}] ${v.help}: ${nodes}`);
    }
  }

  return {
    page,
    context,
    async step(label, target = page) {
      await target.waitForLoadState("load");
      // Let client components mount (local times, live lists) before looking.
      await target.waitForTimeout(150);
      // A sticky header would be photographed where the page was scrolled to.
      await target.evaluate(() => window.scrollTo(0, 0));
      const n = String(++count).padStart(2, "0");
      await target.screenshot({ path: path.join(folder, `${n}-${slug(label)}.png`), fullPage: true });
      await scan(target, "light", label);
      await target.emulateMedia({ colorScheme: "dark" });
      await target.screenshot({ path: path.join(folder, `${n}-${slug(label)}-dark.png`), fullPage: true });
      await scan(target, "dark", label);
      await target.emulateMedia({ colorScheme: "light" });
    },
    allowConsoleError(pattern) {
      allowed.push(pattern);
    },
    allowAxe(rule, target) {
      axeAllowed.push({ rule, target });
    },
    async newPage() {
      const other = await context.newPage();
      watch(other);
      return other;
    },
    async close() {
      await context.close();
      if (problems.length > 0) throw new Error(`the browser saw ${problems.length} problem(s):\n- ${problems.join("\n- ")}`);
    },
  };
}

/**
 * Runs `body` with a fresh session and closes it; a failure of the body is reported with what
 * the browser saw besides, and a clean body still fails on console errors, foreign requests or
 * accessibility violations.
 */
export async function inBrowser(browser: Browser, baseUrl: string, name: string, body: (session: BrowserSession) => Promise<void>): Promise<void> {
  const session = await openSession(browser, baseUrl, name);
  let failure: unknown;
  try {
    await body(session);
  } catch (err) {
    failure = err;
    await session.page.screenshot({ path: path.join(ARTIFACTS, slug(name), "failure.png"), fullPage: true }).catch(() => undefined);
  }
  try {
    await session.close();
  } catch (seen) {
    if (failure) throw new Error(`${(failure as Error).message}\n\nAlso: ${(seen as Error).message}`, { cause: failure });
    throw seen;
  }
  if (failure) throw failure;
}

/** Signs in through the sign-in page, as a person does, and waits for the page it leads to. */
export async function signIn(session: BrowserSession, name: string, password: string, page: Page = session.page): Promise<void> {
  if (!new URL(page.url(), "http://x").pathname.startsWith("/sign-in")) await page.goto("/sign-in");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("textbox", { name: "Password" }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

/** Waits until `check` holds (polling), else fails naming `what`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The one axe finding the landmarks contract overrides, on every page: a canvas node (role
 * group, aria-roledescription "node") carries aria-selected, which DESIGN.md requires and
 * ARIA 1.2 lists for other roles only. Anything else axe says of such a node still fails.
 */
function canvasNodeSelection(rule: string, node: { html: string; failureSummary?: string }): boolean {
  if (rule !== "aria-allowed-attr" || !/aria-roledescription="node"/.test(node.html)) return false;
  const disallowed = [...(node.failureSummary ?? "").matchAll(/not allowed: (aria-[a-z]+)/g)].map((m) => m[1]);
  return disallowed.length > 0 && disallowed.every((attr) => attr === "aria-selected");
}
