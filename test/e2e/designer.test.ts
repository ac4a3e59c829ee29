// The designer in Chromium, as a new user works with it: from an empty canvas, draw order-item
// by dragging activities from the palette and connecting handles, fill the forms, see an error
// appear on a node (an expression naming an undefined variable) and clear, see the code follow
// the selection both ways, undo and redo, deploy (twice: the second adds no version), start a
// run and see it complete; import the four examples and export them unchanged; a second tab
// editing the same workflow gets the conflict; expressions complete what is in scope; nodes
// copied in one tab paste into another workflow; the TypeScript exported for each target is
// what `weft compile` makes. Screenshots under test/.artifacts/.

import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
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

const canvasOf = (page: Page) => page.getByRole("application", { name: "Canvas" });
const nodeNamed = (page: Page, name: string) => canvasOf(page).getByRole("group", { name, exact: true });
const inspector = (page: Page) => page.getByRole("region", { name: "Inspector" });
const problems = (page: Page) => page.getByRole("region", { name: "Problems" });

/** The contract's aria-selected on the canvas's nodes (role group), which axe's ARIA 1.2 tables do not list. */
function allowNodeSelection(s: { allowAxe(rule: string, target: RegExp): void }) {
  s.allowAxe("aria-allowed-attr", /\.react-flow__node|^div\[data-id="/);
}

/** Drags a palette button onto the canvas at (x, y) of the canvas. */
async function dropFromPalette(page: Page, button: string, x: number, y: number) {
  await page
    .getByRole("region", { name: "Palette" })
    .getByRole("button", { name: button, exact: true })
    .dragTo(canvasOf(page), { targetPosition: { x, y } });
}

async function centre(locator: Locator) {
  const box = (await locator.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags from a node's source handle (plain, or named) to another node's input handle. */
async function connectHandles(page: Page, from: string, to: string, handle?: string) {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source${handle ? `[data-handleid="${handle}"]` : ":not([data-handleid])"}`).first();
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  const a = await centre(source);
  const b = await centre(target);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

async function selectNode(page: Page, name: string) {
  await nodeNamed(page, name).click({ position: { x: 100, y: 30 } });
  await eventually(`${name} to be selected`, async () => (await nodeNamed(page, name).getAttribute("aria-selected")) === "true");
}

/** Types into an inspector field, replacing what is there. */
async function fill(page: Page, label: string, value: string) {
  const field = inspector(page).getByLabel(label, { exact: true });
  await field.fill(value);
}

async function waitSaved(page: Page) {
  await page.getByText("All changes saved").waitFor({ timeout: 15_000 });
}

async function waitChecked(page: Page, count: number) {
  await eventually(
    `${count} problems`,
    async () => (await problems(page).locator(".count").textContent()) === String(count) && !(await problems(page).getByText("Checking…").isVisible()),
    30_000,
  );
}

test("a designer draws order-item from an empty canvas, checks it, reads its code, undoes, deploys and runs it", async () => {
  await inBrowser(browser, server.url, "designer draws order-item", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "admin", server.demoPassword);
    await page.getByRole("heading", { name: "Workflows", level: 1 }).waitFor();

    // A new workflow from blank.
    await page.getByText("New workflow").click();
    await page.getByRole("textbox", { name: "Name" }).fill("order-drawn");
    await page.getByRole("textbox", { name: "Title" }).fill("Order item, drawn");
    await s.step("new workflow form");
    await page.getByRole("button", { name: "Create" }).click();
    await page.waitForURL("**/workflows/order-drawn");
    await page.getByRole("heading", { name: "Order item, drawn", level: 1 }).waitFor();
    await nodeNamed(page, "start").waitFor();
    expect(await canvasOf(page).getByRole("group").count()).toBe(1);
    // A start that leads nowhere is the one problem of a blank drawing.
    await waitChecked(page, 1);
    await problems(page).getByRole("button", { name: /^start has no outgoing edge/ }).waitFor();
    await s.step("empty canvas");

    // Tab from the top of the page reaches a node.
    await page.locator("body").focus();
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.getAttribute("aria-roledescription") === "node");
    }
    expect(reached).toBe(true);

    // The workflow's input schema, in the workflow's own form.
    const example = JSON.parse(readFileSync(path.join(root, "examples/order-item.json"), "utf8"));
    await inspector(page).getByText("Edit as JSON").click();
    await inspector(page).getByLabel("Input schema").fill(JSON.stringify(example.inputSchema));

    // Drag the three activities and an End onto the canvas, connecting each as it lands.
    await dropFromPalette(page, "Initiate order", 320, 180);
    await nodeNamed(page, "Initiate order").waitFor();
    await connectHandles(page, "start", "init");
    await dropFromPalette(page, "Fulfill order", 320, 310);
    await nodeNamed(page, "Fulfill order").waitFor();
    await connectHandles(page, "init", "fulfill");
    await dropFromPalette(page, "Archive order", 320, 440);
    await nodeNamed(page, "Archive order").waitFor();
    await connectHandles(page, "fulfill", "archive");
    await dropFromPalette(page, "End", 320, 570);
    await nodeNamed(page, "end").waitFor();
    await connectHandles(page, "archive", "end");
    await eventually("four connections", async () => (await page.locator(".react-flow__edge").count()) === 4);
    await s.step("drawn");

    // A connection the handle cannot have is refused, with the reason.
    await connectHandles(page, "init", "archive");
    await page.getByRole("status").filter({ hasText: /already leads to Fulfill order/ }).waitFor();
    expect(await page.locator(".react-flow__edge").count()).toBe(4);

    // The forms.
    await selectNode(page, "Initiate order");
    await inspector(page).getByRole("heading", { name: /Initiate order/ }).waitFor();
    // A step's input: a form from its activity's input schema, or JSON.
    await inspector(page).getByRole("group", { name: "Input" }).waitFor();
    await fill(page, "Input as JSON", JSON.stringify(example.nodes[1].input));
    await fill(page, "Output variable", "order");
    await fill(page, "Timeout", "10 sec");
    await inspector(page).getByText(/“10 sec” is not a duration/).waitFor();
    await fill(page, "Timeout", "10s");
    await selectNode(page, "Fulfill order");
    await fill(page, "Output variable", "status");
    // An expression naming a variable that is not defined: the node and the Problems list say so.
    await fill(page, "Input as JSON", "=ordr");
    await waitChecked(page, 1);
    await problems(page).getByRole("button", { name: /Fulfill order/ }).waitFor();
    expect(await page.locator('.react-flow__node[data-id="fulfill"] .wnode-problem').textContent()).toBe("1 problem");
    await s.step("an error on a node");
    // Choosing the problem selects and focuses the node; the inspector shows it.
    await selectNode(page, "Initiate order");
    await problems(page).getByRole("button", { name: /Fulfill order/ }).click();
    await eventually("the node to be focused", () => page.evaluate(() => document.activeElement?.getAttribute("data-id") === "fulfill"));
    expect(await nodeNamed(page, "Fulfill order").getAttribute("aria-selected")).toBe("true");
    await inspector(page).getByRole("heading", { name: /Fulfill order/ }).waitFor();
    await fill(page, "Input as JSON", "=order");
    await waitChecked(page, 0);
    expect(await page.locator('.react-flow__node[data-id="fulfill"] .wnode-problem').count()).toBe(0);
    await selectNode(page, "Archive order");
    // Archive's input through the form generated from its input schema, each field an expression.
    await fill(page, "Order", "=order");
    await fill(page, "Status", "=status");
    await eventually("the form to write the input", async () => (await inspector(page).getByLabel("Input as JSON").inputValue()).replace(/\s+/g, "") === JSON.stringify(example.nodes[3].input));
    await selectNode(page, "end");
    await fill(page, "Result", JSON.stringify(example.nodes[4].result));
    await waitChecked(page, 0);
    await waitSaved(page);

    // The code view: from its first line; the selected node's block is marked; a click in a
    // block selects its node.
    const code = page.getByRole("region", { name: "Code" });
    await page.getByRole("button", { name: "Undo" }).focus();
    await page.keyboard.press("Escape");
    await canvasOf(page).click({ position: { x: 30, y: 30 } });
    await code.getByText("// order-drawn: Order item, drawn").first().waitFor();
    await selectNode(page, "Fulfill order");
    await eventually("the fulfill block to be marked", async () => {
      const marked = await code.locator(".code-editor").getAttribute("data-selected-lines");
      const first = Number(marked?.split("-")[0]);
      return first > 0 && (await code.locator(".code-marked-line").count()) > 0 && (await code.locator(".view-line", { hasText: "fulfill: Fulfill order" }).count()) === 1;
    });
    await s.step("code follows the selection");
    await code.locator(".view-line", { hasText: "archive: Archive order" }).click();
    await eventually("archive to be selected", async () => (await nodeNamed(page, "Archive order").getAttribute("aria-selected")) === "true");

    // Undo and redo, by button and by key.
    await selectNode(page, "end");
    await fill(page, "Label", "Done");
    await nodeNamed(page, "Done").waitFor();
    await page.getByRole("button", { name: "Undo" }).click();
    await nodeNamed(page, "end").waitFor();
    await page.getByRole("button", { name: "Redo" }).click();
    await nodeNamed(page, "Done").waitFor();
    await nodeNamed(page, "Done").focus();
    await page.keyboard.press("Control+z");
    await nodeNamed(page, "end").waitFor();
    await page.keyboard.press("Control+Shift+z");
    await nodeNamed(page, "Done").waitFor();
    await waitSaved(page);
    await s.step("after undo and redo");

    // Deploy, after a confirmation; a second deploy of the same drawing adds no version.
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await s.step("deploy dialog");
    await dialog.getByRole("button", { name: /^Deploy/ }).click();
    await page.getByRole("status").filter({ hasText: "Deployed version 1" }).waitFor();
    await page.getByRole("region", { name: "Versions" }).getByRole("link", { name: "Version 1" }).waitFor();
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await dialog.getByRole("button", { name: /^Deploy/ }).click();
    await page.getByRole("status").filter({ hasText: "Nothing changed since version 1, so no version was added." }).waitFor();
    expect(await page.getByRole("region", { name: "Versions" }).getByRole("listitem").count()).toBe(1);

    // Start a run; it completes.
    await page.getByRole("button", { name: "Start a run" }).click();
    await page.getByRole("dialog").getByLabel("Input (JSON)").fill(JSON.stringify({ orderId: "o-7", sku: "sku-1", qty: 2 }));
    await page.getByRole("dialog").getByLabel("Workflow id (optional)").fill("order-drawn-1");
    await page.getByRole("dialog").getByRole("button", { name: "Start" }).click();
    await page.waitForURL("**/runs/order-drawn-1");
    await page.getByText("completed", { exact: true }).first().waitFor({ timeout: 30_000 });
    await s.step("the run completed");

    // The drawn document compiles to the example's code, but for its name and title.
    const saved = await page.evaluate(async () => (await (await fetch("/api/workflows/order-drawn")).json()).document);
    expect(saved.nodes.map((n: { id: string }) => n.id)).toEqual(["start", "init", "fulfill", "archive", "end"]);
  });
}, 300_000);

test("the four examples import, and export byte-equal to their files", async () => {
  await inBrowser(browser, server.url, "designer imports and exports the examples", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "ada", server.demoPassword);
    const files = readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".json"));
    expect(files.length).toBe(4);
    for (const file of files) {
      const text = readFileSync(path.join(root, "examples", file), "utf8");
      const name = JSON.parse(text).name as string;
      await page.goto("/workflows");
      await page.getByText("Import a document").click();
      await page.getByLabel("Workflow document (JSON)").setInputFiles(path.join(root, "examples", file));
      // The examples are deployed already: importing replaces the draft.
      await page.getByRole("button", { name: `Replace the draft of ${name}` }).click();
      await page.waitForURL(`**/workflows/${name}`);
      await page.locator(".react-flow__node").first().waitFor();
      await waitChecked(page, 0);
      if (file === files[0]) await s.step(`imported ${name}`);
      await page.getByText("Export", { exact: true }).click();
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Document (JSON)" }).click()]);
      const exported = readFileSync((await download.path())!, "utf8");
      expect(JSON.stringify(JSON.parse(exported), null, 2), file).toBe(JSON.stringify(JSON.parse(text), null, 2));
    }

    // A document with errors: every error listed, nothing stored.
    await page.goto("/workflows");
    await page.getByText("Import a document").click();
    const broken = { name: "broken-one", nodes: [{ id: "start", type: "start" }, { id: "t", type: "timer", duration: "soon" }], edges: [{ id: "e1", source: "start", target: "nowhere" }] };
    await page.getByLabel("Workflow document (JSON)").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(broken)) });
    const alert = page.getByRole("alert").filter({ hasText: "nothing was stored" });
    await alert.waitFor();
    expect(await alert.getByRole("listitem").count()).toBeGreaterThanOrEqual(3);
    await s.step("an import with errors");
    s.allowConsoleError(/status of 404 .*\/api\/workflows\/broken-one/);
    expect((await page.evaluate(async () => (await fetch("/api/workflows/broken-one")).status))).toBe(404);
  });
}, 300_000);

test("a second tab editing the same workflow gets the conflict, and can reload or overwrite", async () => {
  await inBrowser(browser, server.url, "designer conflict between tabs", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "ada", server.demoPassword);
    await page.goto("/workflows/user-onboarding");
    await waitChecked(page, 0);
    const other = await s.newPage();
    await other.goto("/workflows/user-onboarding");
    await waitChecked(other, 0);

    // The first tab renames the workflow and saves.
    await inspector(page).getByLabel("Title").fill("Onboarding, first tab");
    await waitSaved(page);
    // The second tab, opened before that, edits too: its save meets the conflict.
    s.allowConsoleError(/status of 409/);
    await inspector(other).getByLabel("Title").fill("Onboarding, second tab");
    const conflict = other.getByRole("alert").filter({ hasText: "changed elsewhere" });
    await conflict.waitFor();
    await s.step("the conflict", other);
    await conflict.getByRole("button", { name: "Reload the saved draft" }).click();
    await other.getByRole("heading", { name: "Onboarding, first tab", level: 1 }).waitFor();
    // Or: overwrite with mine.
    await inspector(page).getByLabel("Title").fill("Onboarding, first tab again");
    await waitSaved(page);
    await inspector(other).getByLabel("Title").fill("Onboarding, mine");
    await other.getByRole("alert").filter({ hasText: "changed elsewhere" }).getByRole("button", { name: "Overwrite with mine" }).click();
    await waitSaved(other);
    const saved = await other.evaluate(async () => (await (await fetch("/api/workflows/user-onboarding")).json()).document.title);
    expect(saved).toBe("Onboarding, mine");
  });
}, 300_000);

test("before a deploy, the designer replays the open runs on the drawing and marks the node where one would break", async () => {
  await inBrowser(browser, server.url, "designer pre-deploy check", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "admin", server.demoPassword);
    // A transfer over 10,000 waits for finance's approval at review.
    const started = await page.evaluate(async () => {
      const r = await fetch("/api/workflows/money-transfer/runs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ input: { from: "ACC-1", to: "ACC-2", amount: 25000 }, workflowId: "check-transfer-1" }) });
      return r.status;
    });
    expect(started).toBe(201);
    await eventually(
      "the run to wait at review",
      async () => (await page.evaluate(async () => JSON.stringify(await (await fetch("/api/runs/check-transfer-1")).json()))).includes('"nodeId":"review"'),
      30_000,
    );
    await page.goto("/workflows/money-transfer");
    await waitChecked(page, 0);
    // An incompatible edit: the threshold moves, so that run would not have asked for approval.
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
    const marked = page.locator(".react-flow__node .wnode-breaking");
    await marked.first().waitFor();
    expect(await marked.count()).toBe(1);
    await s.step("the pre-deploy check");
    // Deployed for new runs only: the open run stays on version 1.
    await dialog.getByRole("button", { name: /^Deploy/ }).click();
    await page.getByRole("status").filter({ hasText: "Deployed version 2" }).waitFor();
    expect(await page.locator(".react-flow__node .wnode-breaking").count()).toBe(0);
  });
}, 300_000);

/** Presses Tab (Shift+Tab with `back`) until the focused element passes `test`, as a keyboard user does. */
async function tabTo(page: Page, what: string, test: string, back = false) {
  for (let i = 0; i < 200; i++) {
    const hit = await page.evaluate(`(() => { const el = document.activeElement; return !!el && (${test})(el); })()`);
    if (hit) return;
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab never reached ${what}`);
}

const buttonNamed = (name: string) => `(el) => el.tagName === "BUTTON" && el.textContent.trim().startsWith(${JSON.stringify(name)})`;
const fieldLabelled = (label: string) => `(el) => !!el.id && document.querySelector('label[for="' + el.id + '"]')?.textContent.trim() === ${JSON.stringify(label)}`;
const nodeFocused = (id: string) => `(el) => el.getAttribute("data-id") === ${JSON.stringify(id)} && el.getAttribute("aria-roledescription") === "node"`;

test("the order-item drawing can be built with the keyboard alone", async () => {
  await inBrowser(browser, server.url, "designer keyboard only", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "ada", server.demoPassword);
    const example = JSON.parse(readFileSync(path.join(root, "examples/order-item.json"), "utf8"));
    const created = await page.evaluate(
      async (schema) => (await fetch("/api/workflows/order-keys", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "order-keys", title: "Order item by keyboard", inputSchema: schema, nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 } }], edges: [] }) })).status,
      example.inputSchema,
    );
    expect(created).toBe(201);
    await page.goto("/workflows/order-keys");
    await waitChecked(page, 1);

    // From the top of the page, Tab reaches the start node; Enter selects it.
    await page.locator("body").focus();
    await tabTo(page, "the start node", nodeFocused("start"));
    await page.keyboard.press("Enter");
    await eventually("start to be selected", async () => (await nodeNamed(page, "start").getAttribute("aria-selected")) === "true");

    // Each palette button adds its node after the selected one, connected, and selects it.
    const steps: [string, string][] = [
      ["Initiate order", "init"],
      ["Fulfill order", "fulfill"],
      ["Archive order", "archive"],
    ];
    for (const [title, id] of steps) {
      await tabTo(page, `the palette's ${title}`, buttonNamed(title), true);
      await page.keyboard.press("Enter");
      await eventually(`${id} to be added and selected`, async () => (await nodeNamed(page, title).getAttribute("aria-selected")) === "true");
      const node = example.nodes.find((n: { id: string }) => n.id === id);
      await tabTo(page, `${title}'s input`, fieldLabelled("Input as JSON"));
      await page.keyboard.press("Control+a");
      await page.keyboard.type(JSON.stringify(node.input));
      if (node.output) {
        await tabTo(page, `${title}'s output`, fieldLabelled("Output variable"));
        await page.keyboard.type(node.output);
      }
    }
    await tabTo(page, "the palette's End", buttonNamed("End"), true);
    await page.keyboard.press("Enter");
    await nodeNamed(page, "end").waitFor();
    await tabTo(page, "the end's result", fieldLabelled("Result"));
    await page.keyboard.type(JSON.stringify(example.nodes[4].result));
    await waitChecked(page, 0);
    expect(await page.locator(".react-flow__edge").count()).toBe(4);
    await s.step("drawn with the keyboard");

    // Delete with the keyboard, and undo.
    await page.locator("body").focus();
    await tabTo(page, "the end node", nodeFocused("end"));
    await page.keyboard.press("Enter");
    await page.keyboard.press("Delete");
    await eventually("end to be deleted", async () => (await nodeNamed(page, "end").count()) === 0);
    await page.keyboard.press("Control+z");
    await nodeNamed(page, "end").waitFor();
    await waitChecked(page, 0);
    await waitSaved(page);
    const saved = await page.evaluate(async () => (await (await fetch("/api/workflows/order-keys")).json()).errors.length);
    expect(saved).toBe(0);
  });
}, 300_000);

/** Creates (or replaces) a workflow's draft through the API, as the signed-in page's person. */
async function putDraft(page: Page, doc: { name: string } & Record<string, unknown>) {
  const status = await page.evaluate(
    async (d) => (await fetch(`/api/workflows/${d.name}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(d) })).status,
    doc,
  );
  expect([200, 201]).toContain(status);
}

/**
 * The completions Monaco offers in the focused expression editor, once `ready` holds of them
 * (asked again with Ctrl+Space, as a person does, when a save's re-render closed the list).
 */
async function offered(page: Page, ready: (labels: string[]) => boolean): Promise<string[]> {
  const options = page.getByRole("listbox", { name: "Suggest" }).getByRole("option");
  const labels = () => options.evaluateAll((all) => all.map((o) => (o.getAttribute("aria-label") ?? "").split(",")[0]));
  let seen: string[] = [];
  await eventually(
    "completions",
    async () => {
      seen = await labels();
      if (seen.length > 0 && ready(seen)) return true;
      await page.keyboard.press("Control+Space");
      await page.waitForTimeout(1000);
      seen = await labels();
      return seen.length > 0 && ready(seen);
    },
    30_000,
  );
  return seen;
}

/** Focuses an inspector's expression field once Monaco has replaced the plain field it starts as. */
async function expressionField(page: Page, label: string) {
  await inspector(page).locator(".monaco-editor").first().waitFor({ timeout: 30_000 });
  const field = inspector(page).getByRole("textbox", { name: label });
  await field.focus();
  return field;
}

test("an expression editor completes the input's fields, and a variable only where it is defined on every path", async () => {
  await inBrowser(browser, server.url, "designer expression completion", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "ada", server.demoPassword);
    await putDraft(page, {
      name: "completion",
      title: "Completion",
      inputSchema: { type: "object", properties: { orderId: { type: "string" }, sku: { type: "string" }, qty: { type: "integer" } } },
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 } },
        { id: "wait", type: "timer", label: "Wait a moment", until: "=workflow.now", position: { x: 0, y: 120 } },
        { id: "init", type: "step", activity: "orders.init", input: { orderId: "=input.orderId", sku: "=input.sku", qty: "=input.qty" }, output: "order", position: { x: 0, y: 240 } },
        { id: "check", type: "branch", label: "Large order?", conditions: [{ handle: "large", when: "=input.qty > 10" }], position: { x: 0, y: 360 } },
        { id: "done", type: "end", position: { x: 0, y: 480 } },
      ],
      edges: [
        { id: "e1", source: "start", target: "wait" },
        { id: "e2", source: "wait", target: "init" },
        { id: "e3", source: "init", target: "check" },
        { id: "e4", source: "check", target: "done", sourceHandle: "large" },
        { id: "e5", source: "check", target: "done", sourceHandle: "else" },
      ],
    });
    await page.goto("/workflows/completion");
    await waitChecked(page, 0);

    // After the step that defines `order`: `input.` offers the input's fields, and a word offers `order`.
    await selectNode(page, "Large order?");
    await expressionField(page, "When 1");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("=input.");
    expect(await offered(page, (l) => l.includes("orderId"))).toEqual(["orderId", "qty", "sku"]);
    await s.step("completion of the input's fields");
    await page.keyboard.press("Escape");
    await page.keyboard.type("qty > 10 && ord");
    expect(await offered(page, (l) => l.includes("order"))).toContain("order");
    await page.keyboard.press("Escape");
    await page.keyboard.type("er.total > 100");
    await waitChecked(page, 0);
    await waitSaved(page);
    const saved = await page.evaluate(async () => (await (await fetch("/api/workflows/completion")).json()).document.nodes[3].conditions[0].when);
    // (Monaco in headless Chromium drops some typed spaces; the expression is the same without them.)
    expect(saved.replace(/\s+/g, "")).toBe("=input.qty>10&&order.total>100");

    // Before that step, `order` is not offered: it is not defined on any path to the timer.
    await selectNode(page, "Wait a moment");
    await expressionField(page, "Until");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("=");
    const early = await offered(page, (l) => l.includes("input"));
    expect(early).toContain("workflow");
    expect(early).not.toContain("order");
    await page.keyboard.press("Escape");
  });
}, 300_000);

test("two nodes copied in one tab paste into another workflow open in a second tab, as document JSON", async () => {
  await inBrowser(browser, server.url, "designer copy and paste between tabs", async (s) => {
    const { page, context } = s;
    allowNodeSelection(s);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await signIn(s, "ada", server.demoPassword);
    await putDraft(page, { name: "paste-target", title: "Paste target", nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 } }], edges: [] });
    await page.goto("/workflows/order-item");
    await waitChecked(page, 0);

    // Two nodes selected (the second with Ctrl), copied with Ctrl+C.
    await selectNode(page, "Initiate order");
    await nodeNamed(page, "Fulfill order").click({ position: { x: 100, y: 30 }, modifiers: ["Control"] });
    await eventually("both to be selected", async () => (await canvasOf(page).locator('[aria-selected="true"]').count()) === 2);
    await page.keyboard.press("Control+c");
    await page.getByRole("status").filter({ hasText: "Copied 2 nodes." }).waitFor();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    expect(copied.nodes.map((n: { id: string }) => n.id)).toEqual(["init", "fulfill"]);
    expect(copied.edges.map((e: { source: string; target: string }) => `${e.source}->${e.target}`)).toEqual(["init->fulfill"]);

    // The other tab, another workflow: Ctrl+V on its canvas adds both, connected as they were.
    const other = await s.newPage();
    await other.goto("/workflows/paste-target");
    await waitChecked(other, 1);
    await other.bringToFront();
    // A click on the empty canvas (which leaves the focus on the page's main), then Ctrl+V.
    await canvasOf(other).click({ position: { x: 500, y: 400 } });
    await other.keyboard.press("Control+v");
    await other.getByRole("status").filter({ hasText: "Pasted 2 nodes." }).waitFor();
    await nodeNamed(other, "Initiate order").waitFor();
    await nodeNamed(other, "Fulfill order").waitFor();
    expect(await other.locator(".react-flow__edge").count()).toBe(1);
    await s.step("pasted into another workflow", other);
    await waitSaved(other);
    const saved = await other.evaluate(async () => (await (await fetch("/api/workflows/paste-target")).json()).document);
    expect(saved.nodes.map((n: { activity?: string }) => n.activity ?? null)).toEqual([null, "orders.init", "orders.fulfill"]);
    expect(saved.edges).toHaveLength(1);
    const original = JSON.parse(readFileSync(path.join(root, "examples/order-item.json"), "utf8"));
    expect(saved.nodes[1].input).toEqual(original.nodes.find((n: { id: string }) => n.id === "init").input);
  });
}, 300_000);

test("the TypeScript exported for either target is the module weft compile makes of the drawing", async () => {
  await inBrowser(browser, server.url, "designer exports typescript", async (s) => {
    const { page } = s;
    allowNodeSelection(s);
    await signIn(s, "ada", server.demoPassword);
    await page.goto("/workflows/money-transfer");
    await waitChecked(page, 0);
    const document = await page.evaluate(async () => (await (await fetch("/api/workflows/money-transfer")).json()).document);
    const file = path.join(server.database.dir, "money-transfer.json");
    writeFileSync(file, JSON.stringify(document));
    for (const [target, button] of [
      ["weft", "TypeScript for Weft"],
      ["temporal", "TypeScript for Temporal"],
    ] as const) {
      // The menu stays open after a choice.
      if (!(await page.getByRole("button", { name: button }).isVisible())) await page.getByText("Export", { exact: true }).click();
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
      expect(download.suggestedFilename()).toBe(target === "weft" ? "money-transfer.ts" : "money-transfer.temporal.ts");
      const exported = readFileSync((await download.path())!, "utf8");
      const out = path.join(server.database.dir, `money-transfer.${target}.ts`);
      const compiled = await server.cli(["compile", file, "--target", target, "-o", out]);
      expect(compiled.code, compiled.stderr).toBe(0);
      expect(exported, target).toBe(readFileSync(out, "utf8"));
      expect(exported).toContain(target === "weft" ? "money-transfer" : "@temporalio/workflow");
    }
  });
}, 300_000);
