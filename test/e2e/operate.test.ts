// Operating runs in Chromium (issue 12), as the people would do it: a step that keeps failing
// shows "attempt 3 of 3", its error and the next retry on its node of the run's drawing while
// it waits (chosen, its attempts with their workers, its input and its code), then fails
// the run, which an operator retries from the failed step (after a confirmation) once the cause
// is gone, and it completes; the scrubber shows a run as it stood after its second event; a
// payment shows in the outbox; an approval that needs two approvers shows "1 of 2 approvals",
// is decided from its e-mailed decision link (opening the link decides nothing), and an
// outsider who follows the link sees no buttons; an operator cancels a selection of runs after
// a confirmation that says how many; a run that its version's code no longer replays is held,
// and its page shows the node where the replay broke and the deploy that frees it; a designer
// follows that advice (restores the version it started on as the draft, over a draft with
// changes of its own after a confirmation, and deploys it with the open runs moved), and the
// operator's page sees the run go on to its end.
//
// The failing step is the demo's notify.email with its outbox folder blocked by a file: each
// attempt fails (EEXIST) until the test removes the file.

import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { ApiClient } from "../app/api-client.ts";
import { startWeft, type WeftServer } from "../app/weft-server.ts";
import { PING_PONG } from "../engine/documents.ts";
import { seedPingHistory } from "../engine/ping-history.ts";
import { eventually, inBrowser, launchBrowser, signIn } from "./browser.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const outboxDir = path.join(tmpdir(), `weft-e2e-outbox-${process.pid}`);
const blocker = path.join(outboxDir, "mail");

let server: WeftServer;
let browser: Browser;
let api: ApiClient;
const as: Record<string, string> = {};

const FLAKY = {
  name: "flaky-mail",
  title: "Welcome mail",
  nodes: [
    { id: "start", type: "start" },
    {
      id: "mail",
      type: "step",
      label: "Send the welcome mail",
      activity: "notify.email",
      input: { to: "=input.to", subject: "Welcome", body: "Glad to have you." },
      retry: { initialInterval: "4s", backoffCoefficient: 1, maximumAttempts: 3 },
    },
    { id: "done", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "mail" },
    { id: "e2", source: "mail", target: "done" },
  ],
};

beforeAll(async () => {
  mkdirSync(outboxDir, { recursive: true });
  [server, browser] = await Promise.all([startWeft("sqlite", { env: { WEFT_OUTBOX: path.join(blocker, "outbox.jsonl") } }), launchBrowser()]);
  api = new ApiClient(server.url);
  for (const name of ["ada", "admin", "ops"]) as[name] = await api.signIn(name, server.demoPassword);
  for (const doc of [FLAKY, twoApprovers()]) {
    expect((await api.put(`/api/workflows/${doc.name}`, { cookie: as.ada, body: doc })).status).toBe(201);
    expect((await api.post(`/api/workflows/${doc.name}/deploy`, { cookie: as.ada })).status).toBe(201);
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(outboxDir, { recursive: true, force: true });
});

function twoApprovers() {
  const doc = JSON.parse(readFileSync(path.join(root, "test/fixtures/two-approvers.json"), "utf8"));
  return doc as { name: string; title: string };
}

async function start(name: string, workflowId: string, input: unknown, by = as.ops): Promise<void> {
  const r = await api.post(`/api/workflows/${name}/runs`, { cookie: by, body: { workflowId, input } });
  expect(r.status, r.text).toBe(201);
}

test("a step failing three times shows attempt 3 of 3, its error and the next retry; retried from the failed step, the run completes", async () => {
  writeFileSync(blocker, "a file where the outbox folder should be");
  await inBrowser(browser, server.url, "operator retries a failed step", async (s) => {
    const { page } = s;
    // Signed in first: the step's three attempts take eight seconds, which a slow sign-in could miss.
    await page.goto("/runs");
    await signIn(s, "ops", server.demoPassword);
    await start("flaky-mail", "welcome-1", { to: "ann@example.com" });
    await page.goto("/runs/welcome-1");
    // The tab keeps its title while the live page refreshes itself (it once went blank for up
    // to 280 ms at a time, when the title was streamed in apart from the page).
    await page.evaluate(() => {
      const w = window as unknown as { blankTitles: number };
      w.blankTitles = 0;
      new MutationObserver(() => void (document.title === "" && w.blankTitles++)).observe(document, { subtree: true, childList: true, characterData: true });
    });
    // The step's node on the run's drawing says where the run is, in words.
    const canvas = page.getByRole("region", { name: "Drawing" }).getByRole("application", { name: "Canvas" });
    const mail = canvas.getByRole("group", { name: "Send the welcome mail", exact: true });
    await eventually("attempt 3 of 3 with the next retry", async () => /attempt 3 of 3.*next retry in/.test((await mail.textContent()) ?? ""), 30_000);
    const text = (await mail.textContent()) ?? "";
    expect(text).toMatch(/waiting to retry/);
    expect(text).toMatch(/last error: Error: EEXIST/);
    expect(await mail.getAttribute("aria-current")).toBe("step");
    await s.step("attempt 3 of 3 waiting to retry");

    // Chosen on the drawing, the node shows its attempts, the worker of each, its input and its code.
    await mail.click();
    const details = page.getByRole("region", { name: "Send the welcome mail" });
    await details.getByRole("heading", { name: /^\d attempts$/ }).waitFor();
    const said = (await details.textContent()) ?? "";
    expect(said).toMatch(/Attempt 1: failed on \S+.*EEXIST/);
    expect(said).toMatch(/ann@example\.com/);
    expect(await details.getByLabel(/^Generated code of Send the welcome mail/).first().textContent()).toMatch(/notify\.email/);
    await s.step("the step's details");
    const timeline = await page.getByRole("region", { name: "Timeline" }).textContent();
    expect(timeline).toMatch(/attempt 1.*failed.*attempt 2.*failed/);

    // The third attempt fails for good: the run fails there, and its node says why.
    const status = page.getByRole("status", { name: "Status" });
    await eventually("the run to fail", async () => (await status.textContent()) === "failed", 30_000);
    expect(await mail.textContent()).toMatch(/failed.*Error: EEXIST/);
    await s.step("failed at its step");

    // The cause is fixed; the operator retries, after a confirmation.
    rmSync(blocker);
    await page.getByRole("button", { name: /^Retry from Send the welcome mail/ }).click();
    const confirm = page.getByRole("group", { name: /^Retry welcome-1 from Send the welcome mail\?/ });
    await s.step("retry asks first");
    await confirm.getByRole("button", { name: "Retry the run" }).click();
    await eventually("the retried run to complete", async () => (await status.textContent()) === "completed", 30_000);
    expect(await mail.textContent()).toMatch(/done/);
    const history = await page.getByRole("region", { name: "History" }).textContent();
    expect(history).toMatch(/retrying a failed run/);
    await s.step("retried run completed");
    expect(await page.evaluate(() => (window as unknown as { blankTitles: number }).blankTitles), "times the tab's title went blank").toBe(0);
    expect(await page.title()).toBe("Run welcome-1 · Weft");
  });
}, 300_000);

test("the scrubber shows a run as it stood after its second event, and the outbox shows its payment", async () => {
  // Should the test before have stopped before removing the file that blocks the outbox.
  if (statSync(blocker, { throwIfNoEntry: false })?.isFile()) rmSync(blocker);
  await start("money-transfer", "scrub-1", { from: "ACC-1", to: "ACC-2", amount: 20_000 });
  await eventually("scrub-1 at its approval", async () => (await api.get("/api/approvals", { cookie: as.admin })).status === 200 && (await api.get("/api/runs/scrub-1", { cookie: as.ops })).body.pending?.length > 0, 20_000);
  await inBrowser(browser, server.url, "scrubber and outbox", async (s) => {
    const { page } = s;
    // fin1 approves through the API, so the run completes and has a longer history.
    const fin1 = await api.signIn("fin1", server.demoPassword);
    expect((await api.post("/api/approvals/scrub-1/review", { cookie: fin1, body: { decision: "approve", comment: "ok" } })).status).toBe(200);
    await page.goto("/runs/scrub-1");
    await signIn(s, "ops", server.demoPassword);
    const status = page.getByRole("status", { name: "Status" });
    await eventually("scrub-1 to complete", async () => (await status.textContent()) === "completed", 20_000);
    const slider = page.getByRole("slider", { name: "Position in the history" });
    await slider.focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    const where = page.locator("p.scrub-where").filter({ hasText: /As it stood after event 2 of \d+/ });
    await where.waitFor();
    expect(await where.textContent()).toMatch(/review: approval “Approve transfer” requested from finance/);
    const drawing = page.getByRole("region", { name: "Drawing after event 2" });
    const review = drawing.getByRole("group", { name: "review", exact: true });
    expect(await review.textContent()).toMatch(/waiting for approval by finance/);
    expect(await drawing.getByRole("group", { name: "transfer", exact: true }).textContent()).toMatch(/not reached/);
    await s.step("the run after its second event");

    // From the keyboard: a node is reached with Tab and opened with Enter.
    await review.focus();
    await page.keyboard.press("Enter");
    const details = page.getByRole("region", { name: "review" });
    await details.getByRole("heading", { name: "Code" }).waitFor();
    expect(await details.textContent()).toMatch(/Waiting for a decision by finance since/);
    await details.getByRole("button", { name: "Close the details of review" }).click();
    await page.getByRole("region", { name: "Where the run is" }).waitFor();
    await page.getByRole("button", { name: "Now" }).click();
    await page.getByRole("region", { name: "Drawing" }).waitFor();

    await page.getByRole("link", { name: "What this run sent (outbox)" }).click();
    await page.getByRole("heading", { name: "Outbox", level: 1 }).waitFor();
    await page.getByRole("article", { name: "Payment of 20000 from ACC-1 to ACC-2" }).waitFor();
    await s.step("outbox");
  });
}, 300_000);

test("two approvers: 1 of 2 in the inbox, decided from the decision link; an outsider following it sees no buttons", async () => {
  await start("two-approvers", "pay-1", { amount: 75_000, to: "ACME Ltd" }, as.admin);
  await eventually("pay-1 at its approval", async () => (await api.get("/api/runs/pay-1", { cookie: as.ops })).body.pending?.length > 0, 20_000);
  const fin2 = await api.signIn("fin2", server.demoPassword);
  expect((await api.post("/api/approvals/pay-1/review", { cookie: fin2, body: { decision: "approve", comment: "looks right" } })).status).toBe(200);

  await inBrowser(browser, server.url, "an outsider follows a decision link", async (s) => {
    const { page } = s;
    await page.goto("/approvals/pay-1/review");
    await signIn(s, "ops", server.demoPassword);
    await page.getByRole("heading", { name: "You may not decide this approval" }).waitFor();
    expect(await page.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await s.step("not theirs to decide");
  });

  await inBrowser(browser, server.url, "fin1 decides from a decision link", async (s) => {
    const { page } = s;
    await page.goto("/approvals");
    await signIn(s, "fin1", server.demoPassword);
    const item = page.getByRole("article", { name: /Approve payment.*pay-1/ });
    await item.waitFor({ timeout: 20_000 });
    const text = (await item.textContent()) ?? "";
    expect(text).toContain("1 of 2 approvals");
    expect(text).toContain("approved by fin2");
    expect(text).toContain("Payment over 50,000: two of finance, not the requester");
    expect(text).toContain("ACME Ltd");
    await s.step("inbox: 1 of 2 approvals");

    // The link an e-mail would carry: opening it decides nothing.
    const before = (await api.get("/api/runs/pay-1/history", { cookie: as.ops })).body;
    await item.getByRole("link", { name: "Decision link" }).click();
    await page.getByRole("heading", { name: "Decision", level: 1 }).waitFor();
    const card = page.getByRole("article", { name: /Approve payment.*pay-1/ });
    await card.waitFor();
    expect((await api.get("/api/runs/pay-1/history", { cookie: as.ops })).body).toEqual(before);
    await s.step("decision link page");
    await card.getByRole("textbox", { name: "Comment" }).fill("Second pair of eyes");
    await card.getByRole("button", { name: "Approve" }).click();
    await eventually("the decision to be confirmed", async () => /You approved “Approve payment” for pay-1/.test((await page.getByRole("status").first().textContent()) ?? ""));
    await s.step("decided from the link");
  });
  await eventually("pay-1 to complete", async () => (await api.get("/api/runs/pay-1", { cookie: as.ops })).body.status === "completed", 20_000);
}, 300_000);

test("a decision link's page follows its approval: a colleague's approval toward the quorum, then a colleague's decision, show with no reload", async () => {
  await start("two-approvers", "dec-2", { amount: 60_000, to: "Initech" }, as.admin);
  await start("money-transfer", "dec-1", { from: "ACC-1", to: "ACC-3", amount: 15_000 });
  for (const id of ["dec-1", "dec-2"]) await eventually(`${id} at its approval`, async () => (await api.get(`/api/runs/${id}`, { cookie: as.ops })).body.pending?.length > 0, 20_000);
  const fin2 = await api.signIn("fin2", server.demoPassword);

  await inBrowser(browser, server.url, "a decision link's page follows its approval", async (s) => {
    const { page } = s;
    await page.goto("/approvals/dec-2/review");
    await signIn(s, "fin1", server.demoPassword);
    const quorum = page.getByRole("article", { name: /Approve payment.*dec-2/ });
    await quorum.getByRole("button", { name: "Approve" }).waitFor();
    expect(await quorum.textContent()).toContain("0 of 2 approvals");
    await new Promise((r) => setTimeout(r, 1000)); // the page's stream connects after it is drawn
    // fin2 approves elsewhere: one of two, so fin1 may still decide, and is told who approved.
    expect((await api.post("/api/approvals/dec-2/review", { cookie: fin2, body: { decision: "approve" } })).status).toBe(200);
    await eventually("1 of 2 approvals on the page", async () => /1 of 2 approvals.*approved by fin2/.test((await quorum.textContent()) ?? ""), 10_000);
    expect(await quorum.getByRole("button", { name: "Approve" }).isEnabled()).toBe(true);
    await s.step("a colleague's approval toward the quorum");

    await page.goto("/approvals/dec-1/review");
    const card = page.getByRole("article", { name: /Approve transfer.*dec-1/ });
    await card.getByRole("button", { name: "Approve" }).waitFor();
    await new Promise((r) => setTimeout(r, 1000));
    // fin2 decides it from the inbox: fin1's page says so, and its buttons go.
    expect((await api.post("/api/approvals/dec-1/review", { cookie: fin2, body: { decision: "approve", comment: "fine by me" } })).status).toBe(200);
    const status = page.getByRole("status").filter({ hasText: "Decided by" });
    await status.waitFor({ timeout: 10_000 });
    expect(await status.textContent()).toMatch(/^Decided by fin2: approved \(“fine by me”\), at .+\. Nothing is left to decide on “Approve transfer” for dec-1\.$/);
    expect(await page.getByRole("button", { name: "Approve" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Decline" }).count()).toBe(0);
    await page.getByRole("link", { name: "dec-1" }).waitFor();
    await s.step("a colleague's decision");
  });
}, 300_000);

test("an operator cancels a selection of runs after a confirmation that says how many", async () => {
  for (let i = 0; i < 3; i++) await start("two-approvers", `sel-${i}`, { amount: 1, to: "X" });
  await inBrowser(browser, server.url, "operator cancels a selection", async (s) => {
    const { page } = s;
    await page.goto("/runs?name=two-approvers&status=running");
    await signIn(s, "ops", server.demoPassword);
    for (const id of ["sel-0", "sel-2"]) await page.getByRole("checkbox", { name: `Select ${id}` }).check();
    await page.getByRole("button", { name: "Cancel selected" }).click();
    const confirm = page.getByRole("group", { name: "Cancel 2 runs?" });
    await confirm.waitFor();
    await s.step("confirm cancelling 2 runs");
    await confirm.getByRole("button", { name: "Cancel 2 runs" }).click();
    await eventually("the runs to be cancelled", async () => /Cancelled 2 runs/.test((await page.getByRole("status").first().textContent()) ?? ""));
    const history = (await api.get("/api/runs/sel-0/history", { cookie: as.ops })).body;
    expect(history.at(-1)).toMatchObject({ type: "WorkflowCancelled", by: "ops" });
    expect((await api.get("/api/runs/sel-1", { cookie: as.ops })).body.status).toBe("running");
    await s.step("after cancelling");
  });
}, 300_000);

/** A step, then a signal: the second version's step calls another activity, which the run's history does not say. */
function heldOrder(activity: string, input: unknown, label?: string) {
  return {
    name: "held-order",
    title: "Held order",
    nodes: [
      { id: "start", type: "start" },
      { id: "a", type: "step", label: label ?? "Archive the order", activity, input },
      { id: "wait", type: "signal", signal: "go" },
      { id: "done", type: "end" },
    ],
    edges: [
      { id: "e1", source: "start", target: "a" },
      { id: "e2", source: "a", target: "wait" },
      { id: "e3", source: "wait", target: "done" },
    ],
  };
}

test("a run held by a non-determinism error shows where it broke and which deploy frees it; a designer restores the version it started on and deploys it, which frees it", async () => {
  const v1 = heldOrder("orders.archive", { order: { id: "o-1" } });
  expect((await api.put(`/api/workflows/${v1.name}`, { cookie: as.ada, body: v1 })).status).toBe(201);
  expect((await api.post(`/api/workflows/${v1.name}/deploy`, { cookie: as.ada })).status).toBe(201);
  await start(v1.name, "held-1", {});
  await eventually("held-1 at its signal", async () => ((await api.get("/api/runs/held-1", { cookie: as.ops })).body.pending ?? []).some((p: { kind: string }) => p.kind === "signal"), 20_000);
  // Version 2 calls another activity at a: declared compatible by force, it does not replay held-1.
  const file = path.join(outboxDir, "held-order-v2.json");
  writeFileSync(file, JSON.stringify(heldOrder("orders.fulfill", { id: "o-1" }, "Fulfil the order")));
  const forced = await server.cli(["deploy", file, "--compatible-with", "1", "--force"]);
  expect(forced.code, forced.stderr).toBe(0);
  expect(forced.stdout).toMatch(/held where they are \(held-1 at a\)/);
  await new Promise((r) => setTimeout(r, 1100)); // the worker reads declarations at most a second old
  expect((await api.post("/api/runs/held-1/signals/go", { cookie: as.ops, body: {} })).status).toBe(200);
  await eventually("held-1 to be held", async () => (await api.get("/api/runs/held-1", { cookie: as.ops })).body.held !== undefined, 20_000);

  await inBrowser(browser, server.url, "a run held by a non-determinism error", async (s) => {
    const { page } = s;
    s.allowAxe("aria-allowed-attr", /\.react-flow__node|^div\[data-id="/);
    await page.goto("/runs/held-1");
    await signIn(s, "ops", server.demoPassword);
    await page.getByRole("heading", { name: "held-1", level: 1 }).waitFor();
    expect(await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link").allTextContents()).toEqual(["Runs"]);
    const status = page.getByRole("status", { name: "Status" });
    expect(await status.textContent()).toBe("running");
    // Where it broke: the node of the history the new code no longer replays, on the drawing.
    const canvas = page.getByRole("region", { name: "Drawing" }).getByRole("application", { name: "Canvas" });
    const broke = canvas.getByRole("group", { name: "Fulfil the order", exact: true });
    const onNode = (await broke.textContent()) ?? "";
    // Steps by their activities' titles, as the palette names them (the ids are in the technical details).
    expect(onNode).toMatch(/held: ran “Archive order” here; version 2 runs the step “Fulfill order”/);
    expect(onNode).toMatch(/freed by a deploy that keeps the step “Archive order”/);
    expect(await broke.getAttribute("aria-current")).toBe("step");
    // Beside it, in plain words, by the node's title on the drawing (not its id): since when,
    // what the run did there and what the new code does instead, and the deploy that frees it.
    const where = page.getByRole("region", { name: "Where the run is" });
    const said = (await where.textContent()) ?? "";
    expect(said).toMatch(/Held at “Fulfil the order” since .+ \(marked on the drawing\)\./);
    expect(said).toContain("When this run reached “Fulfil the order”, it ran the step “Archive order”. The code of version 2 runs the step “Fulfill order” at that point instead, so it cannot tell how the run goes on from there.");
    expect(said).toContain("To free it, deploy version 1’s drawing again (the version it started on), or another version that keeps the step “Archive order” at “Fulfil the order”");
    await where.getByRole("link", { name: "What changed from version 1 to version 2" }).waitFor();
    // An operator may not restore a version: the advice says who may, by name.
    expect(said).toContain("Restoring version 1 as the draft needs the designer role: ask a designer, such as ada (who deployed version 1), to restore it and deploy it.");
    expect(await where.getByRole("button", { name: "Restore version 1 as the draft" }).count()).toBe(0);
    // The engine's own message, for developers, is behind a disclosure.
    const technical = where.getByText(/^NonDeterminismError COMMAND_CHANGED/);
    expect(await technical.isVisible()).toBe(false);
    await where.getByText("Technical details").click();
    await technical.waitFor();
    expect(await technical.textContent()).toMatch(/at history event \d+, node “a”, on the code of version 2 · history event \d+ is ActivityScheduled\(node "a", activity "orders\.archive"\)/);
    // The version whose code holds it, and the one it started on.
    const main = page.getByRole("main");
    expect(await main.textContent()).toMatch(/Held order, version 2, started on version 1/);
    // The signal it waited for came before it was held: none is offered, only what can act on it.
    const actions = page.getByRole("region", { name: "Actions" });
    await actions.getByRole("button", { name: "Cancel run…" }).waitFor();
    expect(await actions.getByRole("button", { name: /^Send/ }).count()).toBe(0);
    expect(await actions.textContent()).toMatch(/No signal is offered: a held run takes none until a deploy frees it/);
    // The signal that woke it came, and waits in its inbox: its node says so, not that it waits for it.
    const wait = canvas.getByRole("group", { name: "wait", exact: true });
    expect(await wait.textContent()).toMatch(/signal “go” received from ops.*taken once the run is freed/);
    expect(await where.textContent()).toMatch(/Signal “go” received from ops \(.+\): it is taken once the run is freed\./);
    const pendingSignal = (await api.get("/api/runs/held-1", { cookie: as.ops })).body.pending.find((p: { kind: string }) => p.kind === "signal");
    expect(pendingSignal).toMatchObject({ nodeId: "wait", received: { signal: "go", by: "ops", at: expect.any(String) } });
    await s.step("held at the node where its replay broke");

    // The designer follows the advice from the run's page: version 1 restored as the draft (over
    // a draft with changes of its own, so after a confirmation that says they are replaced), then
    // deployed from the designer with the open runs moved on to it. The operator's page follows
    // the run to its end with no reload.
    const edited = heldOrder("orders.fulfill", { id: "o-1" }, "Fulfil the order, edited");
    expect((await api.put(`/api/workflows/${edited.name}`, { cookie: as.ada, body: edited })).status).toBe(200);
    await inBrowser(browser, server.url, "a designer restores the version that frees a held run", async (d) => {
      d.allowAxe("aria-allowed-attr", /\.react-flow__node|^div\[data-id="/);
      const designer = d.page;
      await designer.goto("/runs/held-1");
      await signIn(d, "ada", server.demoPassword);
      const advice = designer.getByRole("region", { name: "Where the run is" });
      await advice.getByRole("button", { name: "Restore version 1 as the draft" }).click();
      const question = advice.getByRole("group", { name: "Replace the draft with version 1?" });
      await question.waitFor();
      expect(await question.textContent()).toContain(
        "The draft has changes that were never deployed: it differs from version 2, the newest, and from the versions before it. Restoring version 1 replaces those changes, and they are not kept anywhere.",
      );
      await d.step("asked before the draft's changes are replaced");
      await question.getByRole("button", { name: "Replace the draft with version 1" }).click();
      // The designer, on version 1's drawing, says so and is ready to deploy it.
      await designer.waitForURL(/\/workflows\/held-order(\?|$)/);
      await designer.getByRole("status").filter({ hasText: "Version 1 is the draft again." }).waitFor();
      await designer.getByRole("application", { name: "Canvas" }).getByRole("group", { name: "Archive the order", exact: true }).waitFor();
      expect((await api.get(`/api/workflows/${edited.name}`, { cookie: as.ada })).body.document).toEqual(v1);
      await d.step("version 1 restored as the draft");
      await designer.getByRole("button", { name: "Deploy", exact: true }).click();
      const dialog = designer.getByRole("dialog");
      // The check before deploying: the held run replays on this drawing.
      await dialog.getByText(/1 run is open on version 2\. Replayed on this drawing, every one carries on the same way\./).waitFor({ timeout: 30_000 });
      await d.step("the check says the held run carries on");
      await dialog.getByRole("button", { name: "Move the open runs too, and deploy" }).click();
      await designer.getByRole("status").filter({ hasText: "Deployed version 3: new runs use it. The open runs of version 2 carry on with it." }).waitFor();
    });
    await eventually("the freed run to complete", async () => (await status.textContent()) === "completed", 30_000);
    expect(await page.getByRole("region", { name: "Where the run ended" }).textContent()).toMatch(/The run completed\./);
    // It ran to its end on version 3, and says so, with the version it started on.
    await eventually("the page to say version 3", async () => /Held order, version 3, started on version 1/.test((await main.textContent()) ?? ""));
    expect(await page.getByRole("region", { name: "History" }).textContent()).toMatch(/Run completed at done on version 3/);
    expect((await api.get("/api/runs/held-1", { cookie: as.ops })).body).toMatchObject({ status: "completed", version: 3, startedVersion: 1 });
    await s.step("freed by the deploy, completed");
  });
}, 300_000);

test("a run with 3000 events: the page brings its last events and says the earlier ones are loading, keeps far fewer rows than events, and the scrubber paints it after its second event", async () => {
  // Written straight to the database, as the operate benchmark writes its 10,000-event run.
  const EVENTS = 3000;
  const engine = await Engine.open({ url: server.database.url });
  try {
    const { version, hash } = await engine.deploy(PING_PONG);
    await seedPingHistory(engine, "long-1", EVENTS, version, hash);
  } finally {
    await engine.close();
  }

  await inBrowser(browser, server.url, "a run with a long history", async (s) => {
    const { page } = s;
    // The whole history, which the page asks for once it is drawn, is held back until the page
    // has been looked at with the last events alone.
    let release!: () => void;
    const whole = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/runs/long-1/history", async (route) => {
      await whole;
      await route.continue();
    });
    await page.goto("/runs/long-1");
    await signIn(s, "ops", server.demoPassword);
    await page.getByRole("heading", { name: "long-1", level: 1 }).waitFor();
    const replay = page.getByRole("region", { name: "Replay" });
    const slider = replay.getByRole("slider", { name: "Position in the history" });
    const timeline = page.getByRole("region", { name: "Timeline" });
    const history = page.getByRole("region", { name: "History" });
    const canvas = page.getByRole("region", { name: "Drawing" }).getByRole("application", { name: "Canvas" });

    // The run as it stands, painted on the server from the whole history: 750 visits of each
    // node, waiting at pong. The last 200 events and bars are here; the page says the rest are
    // loading, and how to reach them once they have come.
    expect(await canvas.getByRole("group", { name: "ping", exact: true }).textContent()).toMatch(/750 visits/);
    expect(await canvas.getByRole("group", { name: "pong", exact: true }).textContent()).toMatch(/waiting for the signal “ping”/);
    expect(await replay.textContent()).toMatch(/Loading the whole history to replay it…/);
    expect(await slider.isDisabled()).toBe(true);
    expect(await history.textContent()).toContain(`The last 200 of ${EVENTS} events are here; the earlier ones are loading. Once they have come, scroll up, or move the replay’s slider, to reach any of them.`);
    expect(await timeline.textContent()).toMatch(/The last 200 of 1500 attempts and waits are here; the earlier ones are loading/);
    // A window of rows, not one per event.
    const rows = await page.getByRole("listitem").count();
    expect(rows).toBeLessThan(200);
    expect(await history.getByRole("listitem").count()).toBeLessThan(60);
    await s.step("the last events only, the rest loading");

    // The whole history comes: the scrubber spans it, and the notes say so.
    release();
    await eventually("the whole history to be loaded", async () => !(await slider.isDisabled()));
    expect(await slider.getAttribute("max")).toBe(String(EVENTS));
    await eventually("the history's note to count every event", async () => ((await history.textContent()) ?? "").includes(`${EVENTS} events; scroll, or move the replay’s slider, to reach any of them.`));
    expect(await timeline.textContent()).not.toMatch(/are loading/);

    // Back to the start, then two events on: the drawing as the run stood after its second
    // event, and the history scrolled to that event, still a window of rows.
    await slider.focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await eventually("the replay to stand after event 2", async () => /As it stood after event 2 of 3000: ping: waiting for the signal “ping”/.test((await replay.textContent()) ?? ""));
    const then = page.getByRole("region", { name: "Drawing after event 2" }).getByRole("application", { name: "Canvas" });
    expect(await then.getByRole("group", { name: "ping", exact: true }).textContent()).toMatch(/waiting for the signal “ping”/);
    expect(await then.getByRole("group", { name: "pong", exact: true }).textContent()).toMatch(/not reached/);
    const second = history.getByRole("listitem").filter({ has: page.getByRole("button", { name: "Replay up to event 2", exact: true }) });
    expect(await second.getAttribute("aria-current")).toBe("step");
    expect(await page.getByRole("listitem").count()).toBeLessThan(200);
    await s.step("after event 2 of 3000");
  });
  // Some 10 s on a quiet machine; each step's axe scans take 10-20 s more on a loaded one.
}, 180_000);
