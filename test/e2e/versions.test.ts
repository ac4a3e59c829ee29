// Versions in Chromium: a designer deploys a second version of a transfer workflow and compares
// it with the first (the changed node marked in words on the drawing, its changed field listed
// with before and after, the generated code's diff for both targets), then adds an input field
// in the workflow's form, sees completion offer it and uses it without a problem; before a
// deploy, the open runs of both versions are checked, each version on its own. A designer
// restores an older version as the draft from the compare page (asked first, since the draft
// has changes of its own) and another from the designer's versions list, which Undo takes back.
// Screenshots under test/.artifacts/.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startWeft, type WeftServer } from "../app/weft-server.ts";
import { eventually, inBrowser, launchBrowser, signIn } from "./browser.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let server: WeftServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startWeft("sqlite"), launchBrowser()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const NAME = "transfer-versions";
const canvasOf = (page: Page) => page.getByRole("application", { name: "Canvas" });
const nodeNamed = (page: Page, name: string) => canvasOf(page).getByRole("group", { name, exact: true });
const inspector = (page: Page) => page.getByRole("region", { name: "Inspector" });
const problems = (page: Page) => page.getByRole("region", { name: "Problems" });

function allowNodeSelection(s: { allowAxe(rule: string, target: RegExp): void }) {
  s.allowAxe("aria-allowed-attr", /\.react-flow__node|^div\[data-id="/);
}

async function waitChecked(page: Page, count: number) {
  await eventually(
    `${count} problems`,
    async () => (await problems(page).locator(".count").textContent()) === String(count) && !(await problems(page).getByText("Checking…").isVisible()),
    30_000,
  );
}

const waitSaved = (page: Page) => page.getByText("All changes saved").waitFor({ timeout: 15_000 });

async function selectNode(page: Page, name: string) {
  await nodeNamed(page, name).click({ position: { x: 100, y: 30 } });
  await eventually(`${name} to be selected`, async () => (await nodeNamed(page, name).getAttribute("aria-selected")) === "true");
}

/** Starts a run over the API and waits until it waits at `node`. */
async function startWaiting(page: Page, workflowId: string, amount: number, node: string) {
  const status = await page.evaluate(
    async ([name, id, amount]) =>
      (await fetch(`/api/workflows/${name}/runs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ input: { from: "ACC-1", to: "ACC-2", amount }, workflowId: id }) })).status,
    [NAME, workflowId, amount] as const,
  );
  expect(status).toBe(201);
  await eventually(`${workflowId} to wait at ${node}`, async () => (await page.evaluate(async (id) => JSON.stringify(await (await fetch(`/api/runs/${id}`)).json()), workflowId)).includes(`"nodeId":"${node}"`), 30_000);
}

test("a designer deploys two versions, compares them on the drawing, in words and in code, and adds an input field used at once", async () => {
  await inBrowser(browser, server.url, "versions compared", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "admin", server.demoPassword);
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();

    // Version 1: the money transfer example under another name, with a run waiting at review.
    const example = JSON.parse(readFileSync(path.join(root, "examples/money-transfer.json"), "utf8"));
    const created = await page.evaluate(
      async ([name, doc]) => {
        const put = await fetch(`/api/workflows/${name}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...doc, name, title: "Transfer, versioned" }) });
        const deployed = await fetch(`/api/workflows/${name}/deploy`, { method: "POST" });
        return [put.status, deployed.status];
      },
      [NAME, example] as const,
    );
    expect(created).toEqual([201, 201]);
    await startWaiting(page, "versions-1", 25_000, "review");

    // Version 2: the threshold moves, from the designer.
    await page.goto(`/workflows/${NAME}`);
    await waitChecked(page, 0);
    await selectNode(page, "Large transfer?");
    const when = inspector(page).getByRole("textbox", { name: "When 1" });
    await when.focus();
    await page.keyboard.press("End");
    await page.keyboard.type("0");
    await waitChecked(page, 0);
    await waitSaved(page);
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/1 run would break/).waitFor({ timeout: 30_000 });
    await dialog.getByRole("button", { name: /^Deploy/ }).click();
    await page.getByRole("status").filter({ hasText: "Deployed version 2" }).waitFor();
    await startWaiting(page, "versions-2", 250_000, "review");

    // What changed in version 2: from the versions list.
    await page.getByRole("region", { name: "Versions" }).getByRole("link", { name: "What changed in version 2" }).click();
    await page.waitForURL(`**/workflows/${NAME}/compare?from=1&to=2`);
    await page.getByRole("heading", { name: "Compare versions", level: 1 }).waitFor();
    expect(await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link").allTextContents()).toEqual(["Workflows", "Transfer, versioned"]);
    await page.getByRole("status").filter({ hasText: "From version 1 to version 2: 1 node changed." }).waitFor();
    const drawing = page.getByRole("region", { name: "Drawing compared" });
    // The changed node says so in words, not in colour alone; the others are unmarked.
    await drawing.locator('.react-flow__node[data-id="size"] .cnode-tag', { hasText: "Changed" }).waitFor();
    expect(await drawing.locator('.react-flow__node[aria-label="Large transfer?, changed"]').count()).toBe(1);
    expect(await drawing.locator(".react-flow__node .cnode-tag").count()).toBe(1);
    const changes = page.getByRole("region", { name: "Changes" });
    await changes.locator(".change-text", { hasText: "Changed Branch “Large transfer?”" }).waitFor();
    expect(await changes.locator("dt").allTextContents()).toEqual(["Conditions"]);
    expect(await changes.locator("dd").textContent()).toBe("was large when =input.amount > 10000now large when =input.amount > 100000");
    // The code's diff: the threshold's line differs between the two modules.
    const code = page.getByRole("region", { name: "Code diff" });
    await code.locator(".monaco-diff-editor").waitFor({ timeout: 30_000 });
    await eventually("the diff to mark the changed line", async () => (await code.locator(".monaco-diff-editor .line-insert, .monaco-diff-editor .char-insert").count()) > 0, 30_000);
    await code.locator(".monaco-diff-editor .modified .view-line", { hasText: "100000" }).first().waitFor();
    await s.step("version 2 compared with version 1");
    await code.getByRole("radio", { name: "Temporal" }).click();
    await eventually("the Temporal modules", async () => (await code.locator(".monaco-diff-editor .original .view-line", { hasText: "@temporalio/workflow" }).count()) > 0, 30_000);

    // Any two: the draft (unchanged since version 2) with version 1, and with version 2.
    await page.getByLabel("From", { exact: true }).selectOption("2");
    await page.getByLabel("To", { exact: true }).selectOption("draft");
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    await page.waitForURL(`**/compare?from=2&to=draft`);
    await page.getByRole("status").filter({ hasText: "No differences: the current draft is the same as version 2." }).waitFor();

    // The workflow's input, as a form: a field added is offered in completion and used.
    await page.goto(`/workflows/${NAME}`);
    await waitChecked(page, 0);
    await inspector(page).getByRole("heading", { name: "Workflow settings" }).waitFor();
    const fields = inspector(page).getByRole("group", { name: "Input fields" });
    expect(await fields.getByRole("group", { name: /^Input field / }).count()).toBe(3);
    await fields.getByRole("button", { name: "Add an input field" }).click();
    const added = fields.getByRole("group", { name: "Input field field" });
    await added.getByLabel("Name", { exact: true }).fill("reference");
    const reference = fields.getByRole("group", { name: "Input field reference" });
    await reference.getByLabel("Description", { exact: true }).fill("The customer's own reference");
    await reference.getByLabel("Type", { exact: true }).selectOption("text");
    // The form's edits are the drawing's: Undo takes the description back, Redo brings it again.
    await page.getByRole("button", { name: "Undo" }).click();
    await eventually("the description undone", async () => (await reference.getByLabel("Description", { exact: true }).inputValue()) === "");
    await page.getByRole("button", { name: "Redo" }).click();
    await eventually("the description redone", async () => (await reference.getByLabel("Description", { exact: true }).inputValue()) === "The customer's own reference");
    await waitSaved(page);
    await s.step("an input field added in the form");
    const schema = await page.evaluate(async (name) => (await (await fetch(`/api/workflows/${name}`)).json()).document.inputSchema, NAME);
    expect(schema.properties.reference).toEqual({ type: "string", description: "The customer's own reference" });
    expect(schema.required).toEqual(["from", "to", "amount"]);

    await selectNode(page, "Large transfer?");
    // Completion is Monaco's, which arrives after the plain field it replaces.
    await inspector(page).locator(".monaco-editor").first().waitFor({ timeout: 30_000 });
    await inspector(page).getByRole("textbox", { name: "When 1" }).focus();
    await page.keyboard.press("End");
    await page.keyboard.type(" && input.");
    // The list opens on the "." (or on Ctrl+Space, as a person asks again when a save's re-render closed it).
    const offered = page.locator(".suggest-widget .monaco-list-row", { hasText: "reference" }).first();
    await eventually(
      "completion to offer reference",
      async () => {
        if (await offered.isVisible()) return true;
        await page.keyboard.press("Control+Space");
        await page.waitForTimeout(1000);
        return offered.isVisible();
      },
      30_000,
    );
    await s.step("completion offers the new field");
    await page.keyboard.press("Escape");
    await page.keyboard.type("reference !== undefined");
    await waitChecked(page, 0);
    await waitSaved(page);

    // Before deploying it: the open runs of both versions, each version on its own.
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await dialog.getByText(/2 runs are open on 2 versions/).waitFor({ timeout: 30_000 });
    const byVersion = dialog.getByRole("list", { name: "Open runs by version" }).getByRole("listitem");
    expect(await byVersion.allTextContents()).toEqual([expect.stringMatching(/^Version 2: 1 run open/), expect.stringMatching(/^Version 1: 1 run open/)]);
    await s.step("the pre-deploy check over two versions");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // A draft that adds a step, deletes a node (and the handle of review that led there) and
    // gives another a new id, compared with version 2: the added node, the removed one (ghosted)
    // and the renamed one say so on the drawing, the removed connection is drawn from the handle
    // review no longer has, and the new input field is listed.
    const errors = await page.evaluate(async (name) => {
      const current = (await (await fetch(`/api/workflows/${name}`)).json()).document;
      const nodes = current.nodes
        .filter((n: { id: string }) => n.id !== "expired")
        .map((n: { id: string; timeout?: string }) => (n.id === "review" ? { ...n, timeout: undefined } : n.id === "declined" ? { ...n, id: "refused" } : n));
      nodes.push({ id: "audit", type: "step", label: "Audit transfer", activity: "notify.email", input: { to: "audit@example.com", subject: "Transfer", body: "=input.from" } });
      const edges = current.edges
        .filter((e: { target: string }) => e.target !== "expired")
        .map((e: { source: string; target: string; sourceHandle?: string }) =>
          e.source === "transfer" && !e.sourceHandle ? { ...e, target: "audit" } : e.target === "declined" ? { ...e, target: "refused" } : e,
        );
      edges.push({ id: "e-audit", source: "audit", target: "done" });
      const put = await fetch(`/api/workflows/${name}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...current, nodes, edges }) });
      return (await put.json()).errors;
    }, NAME);
    expect(errors).toEqual([]);
    await page.goto(`/workflows/${NAME}/compare?from=2&to=draft`);
    await page.getByRole("status").filter({ hasText: /^From version 2 to the current draft: 1 node added, 1 node removed, 2 nodes changed, 1 node renamed, 2 connections added, 2 connections removed/ }).waitFor();
    await drawing.locator('.react-flow__node[aria-label="Audit transfer, added"] .cnode-added').waitFor();
    await drawing.locator('.react-flow__node[aria-label="expired, removed"] .cnode-removed').waitFor();
    await drawing.locator('.react-flow__node[aria-label="refused, renamed"] .cnode-renamed').waitFor();
    await changes.locator(".change-text", { hasText: "Renamed End “refused”" }).waitFor();
    expect(await changes.locator(".change", { hasText: "Renamed End “refused”" }).locator("dd").textContent()).toBe("was “declined”now “refused”");
    // Both removed connections drawn: transfer to done, and review's timeout (a handle it no longer has) to expired.
    await drawing.locator('.react-flow__node[data-id="review"] .whandle-gone', { hasText: "timeout" }).waitFor();
    await eventually("both removed connections drawn", async () => (await drawing.locator(".react-flow__edge.cedge-removed").count()) === 2);
    await changes.getByText("Input field reference", { exact: true }).waitFor();
    await changes.locator(".change-text", { hasText: "Removed End “expired”" }).waitFor();
    await s.step("the draft compared with version 2");
    await changes.getByRole("button", { name: "Show Approval “review” on the drawing" }).click();
    await drawing.locator('.react-flow__node[data-id="review"] .cnode.is-focused').waitFor();
    await page.waitForTimeout(400); // the view's move to the node
    await s.step("review shown, its removed timeout connection drawn");
  });
}, 300_000);

/** Start → one step → end; the versions differ in the step's label and its input. */
function labelled(name: string, label: string, order: string) {
  return {
    name,
    title: "Restored order",
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 } },
      { id: "a", type: "step", label, activity: "orders.archive", input: { order: { id: order } }, position: { x: 0, y: 120 } },
      { id: "done", type: "end", position: { x: 0, y: 240 } },
    ],
    edges: [
      { id: "e1", source: "start", target: "a" },
      { id: "e2", source: "a", target: "done" },
    ],
  };
}

test("a designer restores version 1 as the draft from the compare page (asked first: the draft has changes of its own), then version 2 from the versions list, which Undo takes back", async () => {
  const name = "restored-order";
  const [v1, v2, edited] = [labelled(name, "Archive it", "o-1"), labelled(name, "Archive it twice", "o-2"), labelled(name, "Archive it, edited", "o-2")];
  await inBrowser(browser, server.url, "versions restored as the draft", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "ada", server.demoPassword);
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();
    const draftNow = () => page.evaluate(async (n) => (await (await fetch(`/api/workflows/${n}`)).json()).document, name);
    const statuses = await page.evaluate(
      async ([n, docs]) => {
        const out: number[] = [];
        for (const doc of docs) {
          out.push((await fetch(`/api/workflows/${n}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(doc) })).status);
          if (doc !== docs[2]) out.push((await fetch(`/api/workflows/${n}/deploy`, { method: "POST" })).status);
        }
        return out;
      },
      [name, [v1, v2, edited]] as const,
    );
    expect(statuses).toEqual([201, 201, 200, 201, 200]);

    // From what changed in version 2: version 1 made the draft again, after a question that says
    // the draft's own changes go. "Keep the draft" changes nothing.
    await page.goto(`/workflows/${name}/compare?from=1&to=2`);
    await page.getByRole("status").filter({ hasText: "From version 1 to version 2: 1 node changed." }).waitFor();
    await page.getByRole("button", { name: "Restore version 1 as the draft" }).click();
    const question = page.getByRole("group", { name: "Replace the draft with version 1?" });
    await question.getByText(/The draft has changes that were never deployed: it differs from version 2, the newest, and from the versions before it\./).waitFor();
    await s.step("asked before the draft is replaced");
    await question.getByRole("button", { name: "Keep the draft" }).click();
    expect(await question.count()).toBe(0);
    expect(await draftNow()).toEqual(edited);
    await page.getByRole("button", { name: "Restore version 1 as the draft" }).click();
    await question.getByRole("button", { name: "Replace the draft with version 1" }).click();
    await page.getByRole("status").filter({ hasText: "Version 1 is the draft again." }).waitFor();
    await nodeNamed(page, "Archive it").waitFor();
    expect(await draftNow()).toEqual(v1);
    await waitChecked(page, 0);
    await s.step("version 1 is the draft again");

    // In the designer's versions list: version 2, over a draft that is version 1's drawing, so
    // nothing is lost and nothing asked; taken in place, and Undo takes it back.
    const versions = page.getByRole("region", { name: "Versions" });
    await versions.getByRole("button", { name: "Restore version 2 as the draft" }).click();
    await page.getByRole("status").filter({ hasText: "Version 2 is the draft again. Deploy it to make it the newest version" }).waitFor();
    await nodeNamed(page, "Archive it twice").waitFor();
    await waitSaved(page);
    expect(await draftNow()).toEqual(v2);
    await s.step("version 2 restored from the versions list");
    await page.getByRole("button", { name: "Undo" }).click();
    await nodeNamed(page, "Archive it").waitFor();
    await eventually("the undone restore saved", async () => JSON.stringify(await draftNow()) === JSON.stringify(v1), 15_000);
    expect(await versions.getByRole("group").count()).toBe(0);
    // Edited in the designer, then restored from the list: the edit is saved first, so the
    // question comes, and says so.
    await page.getByRole("button", { name: "Redo" }).click();
    await nodeNamed(page, "Archive it twice").waitFor();
    await selectNode(page, "Archive it twice");
    await inspector(page).getByRole("textbox", { name: "Label" }).fill("Archive it thrice");
    await versions.getByRole("button", { name: "Restore version 1 as the draft" }).click();
    const again = versions.getByRole("group", { name: "Replace the draft with version 1?" });
    await again.waitFor();
    expect((await draftNow()).nodes[1].label).toBe("Archive it thrice");
    await s.step("asked in the versions list before an edit is replaced");
    await again.getByRole("button", { name: "Replace the draft with version 1" }).click();
    await nodeNamed(page, "Archive it").waitFor();
    await waitSaved(page);
    expect(await draftNow()).toEqual(v1);
  });
}, 300_000);
