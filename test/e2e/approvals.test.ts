// Approvers at work, in Chromium: a transfer over 10,000 waits for finance; fin1 finds it in
// the inbox (with the run's drawing, the approval marked) and approves it with a comment, the
// run's page (open beside, its approval node waiting) turns "completed" with no reload, the
// node repainted in place, and fin2's inbox loses the item by itself; ops, outside finance, never sees it.
// With no worker running (`weft dev --no-worker`, the run brought to its approval by a `weft
// worker` then stopped), a colleague's decision takes the item out of fin1's inbox and turns
// fin1's decision link page to "Decided by fin2" as soon as it is accepted, within 2 s.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ApiClient } from "../app/api-client.ts";
import { startWeft, type WeftServer } from "../app/weft-server.ts";
import { DEMO_PLUGIN, WorkerProcess } from "../engine/harness.ts";
import { eventually, inBrowser, launchBrowser, openSession, signIn } from "./browser.ts";

let server: WeftServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startWeft("sqlite"), launchBrowser()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function startTransfer(amount: number): Promise<string> {
  const started = await server.cli(["start", "money-transfer", "--input", JSON.stringify({ from: "A", to: "B", amount }), "--json"]);
  expect(started.code, started.stderr).toBe(0);
  return (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
}

test("a finance approver approves a transfer with a comment; the run page turns completed live; a colleague's inbox follows; ops never sees it", async () => {
  const workflowId = await startTransfer(25_000);
  const colleague = await openSession(browser, server.url, "a colleague in finance watches the inbox");
  try {
    await inBrowser(browser, server.url, "fin1 approves a transfer", async (s) => {
      const { page } = s;
      await page.goto("/approvals");
      await signIn(s, "fin1", server.demoPassword);
      await page.getByRole("heading", { name: "Approvals", level: 1 }).waitFor();
      const item = page.getByRole("article", { name: new RegExp(`Approve transfer.*${workflowId}`) });
      await item.waitFor({ timeout: 20_000 });
      expect(await item.textContent()).toContain("Transfer 25000 from A to B");
      await item.getByRole("link", { name: workflowId }).waitFor();
      await s.step("inbox with the transfer");

      // Asked for, the run's drawing shows where the decision falls.
      await item.getByText("Where the run is: its drawing").click();
      const marked = item.getByRole("application", { name: `Drawing of run ${workflowId}` }).getByRole("group", { name: "review", exact: true });
      await marked.waitFor();
      expect(await marked.textContent()).toMatch(/waiting for your decision/);
      await s.step("inbox item with the run's drawing");

      // fin2 has the same approval in view.
      await colleague.page.goto("/approvals");
      await signIn(colleague, "fin2", server.demoPassword);
      const theirs = colleague.page.getByRole("article", { name: new RegExp(`Approve transfer.*${workflowId}`) });
      await theirs.waitFor();

      // ops is outside finance: the approval is not theirs, while it waits.
      await inBrowser(browser, server.url, "ops sees no finance approval", async (ops) => {
        await ops.page.goto("/approvals");
        await signIn(ops, "ops", server.demoPassword);
        await ops.page.getByRole("heading", { name: "Approvals", level: 1 }).waitFor();
        await ops.page.getByRole("heading", { name: "Nothing waits for your decision" }).waitFor();
        expect(await ops.page.getByRole("article").count()).toBe(0);
        expect(await ops.page.getByRole("button", { name: "Approve" }).count()).toBe(0);
        await ops.step("ops inbox");
      });

      // The run's page, open beside the inbox: waiting at the approval.
      const runPage = await s.newPage();
      await runPage.goto(`/runs/${workflowId}`);
      await runPage.getByRole("heading", { name: workflowId, level: 1 }).waitFor();
      const status = runPage.getByRole("status", { name: "Status" });
      expect(await status.textContent()).toBe("running");
      const review = runPage.getByRole("region", { name: "Drawing" }).getByRole("application", { name: "Canvas" }).getByRole("group", { name: "review", exact: true });
      expect(await review.textContent()).toMatch(/waiting.*review.*by finance.*waiting for approval by finance.*since/);
      const node = await review.elementHandle();
      await s.step("run waiting for approval", runPage);

      await item.getByRole("textbox", { name: "Comment" }).fill("Checked with the customer by phone");
      await item.getByRole("button", { name: "Approve" }).click();
      const said = page.getByRole("status");
      await eventually("the decision to be confirmed", async () => /You approved “Approve transfer” for/.test((await said.textContent()) ?? ""));
      const confirmed = Date.now();
      expect(await said.textContent()).toContain("Checked with the customer by phone");
      await item.waitFor({ state: "detached" });
      // The colleague's inbox, over its stream: the item goes with the decision, not seconds later.
      await theirs.waitFor({ state: "detached", timeout: 2_000 });
      console.log(`fin2's inbox lost the item ${Date.now() - confirmed} ms after fin1 was told the decision was taken`);
      await s.step("approved");

      // No reload: the run page follows the run to its end.
      await eventually("the run page to read completed", async () => (await status.textContent()) === "completed", 20_000);
      // Repainted where it was, not drawn anew: the same node, now done, the way on marked.
      expect(await node!.evaluate((el) => el.isConnected)).toBe(true);
      await eventually("the approval node to read done", async () => /done.*approved by fin1/.test((await review.textContent()) ?? ""));
      expect(await runPage.locator(".react-flow__edge.is-taken").count()).toBeGreaterThanOrEqual(3);
      const history = await runPage.getByRole("region", { name: "History" }).textContent();
      expect(history).toMatch(/approved by fin1: “Checked with the customer by phone”/);
      expect(history).toMatch(/Run completed/);
      await s.step("run completed", runPage);

      // The colleague's inbox loses the item by itself.
      await theirs.waitFor({ state: "detached", timeout: 15_000 });
      await colleague.page.getByRole("heading", { name: "Nothing waits for your decision" }).waitFor();
      await colleague.step("colleague's inbox after the decision");
    });
  } finally {
    await colleague.close();
  }
}, 300_000);

test("with no worker running, a colleague's decision leaves the inbox and the decision link's page says who decided, as soon as it is accepted", async () => {
  const quiet = await startWeft("sqlite", { args: ["--no-worker"] });
  const api = new ApiClient(quiet.url);
  try {
    // A worker brings the run to its approval, and stops: from then on nothing takes a decision.
    const worker = new WorkerProcess("brings q-1 to its approval", quiet.env, { plugins: [DEMO_PLUGIN] });
    try {
      await worker.ready();
      const started = await quiet.cli(["start", "money-transfer", "--id", "q-1", "--input", JSON.stringify({ from: "A", to: "B", amount: 30_000 }), "--json"]);
      expect(started.code, started.stderr).toBe(0);
      const ops = await api.signIn("ops", quiet.demoPassword);
      await eventually("q-1 at its approval", async () => (await api.get("/api/runs/q-1", { cookie: ops })).body.pending?.[0]?.kind === "approval", 20_000);
    } finally {
      await worker.stop();
    }
    const fin2 = await api.signIn("fin2", quiet.demoPassword);

    await inBrowser(browser, quiet.url, "no worker, a colleague decides", async (s) => {
      const { page } = s;
      await page.goto("/approvals");
      await signIn(s, "fin1", quiet.demoPassword);
      const item = page.getByRole("article", { name: /Approve transfer.*q-1/ });
      await item.getByRole("button", { name: "Approve" }).waitFor();
      await s.step("inbox, no worker running");
      // The decision link, open in a second page.
      const link = await s.newPage();
      await link.goto("/approvals/q-1/review");
      const card = link.getByRole("article", { name: /Approve transfer.*q-1/ });
      await card.getByRole("button", { name: "Decline" }).waitFor();
      await card.getByRole("application", { name: "Drawing of run q-1" }).getByRole("group", { name: "review", exact: true }).waitFor();
      await s.step("decision link, no worker running", link);
      await new Promise((r) => setTimeout(r, 1000)); // the pages' streams connect after they are drawn

      const answer = await api.post("/api/approvals/q-1/review", { cookie: fin2, body: { decision: "decline", comment: "the customer called it off" } });
      const accepted = Date.now();
      expect(answer.status).toBe(200);
      await item.waitFor({ state: "detached", timeout: 2_000 });
      const gone = Date.now() - accepted;
      const status = link.getByRole("status").filter({ hasText: "Decided by" });
      await status.waitFor({ timeout: 2_000 });
      const said = Date.now() - accepted;
      console.log(`no worker: fin1's inbox lost the item ${gone} ms and the decision link's page named fin2 ${said} ms after the decide call answered`);
      expect(await status.textContent()).toMatch(/^Decided by fin2: declined \(“the customer called it off”\), at .+\. Nothing is left to decide on “Approve transfer” for q-1\.$/);
      expect(await link.getByRole("button", { name: "Decline" }).count()).toBe(0);
      await page.getByRole("heading", { name: "Nothing waits for your decision" }).waitFor();
      await s.step("inbox after a colleague's decision, no worker running");
      await s.step("decision link after a colleague's decision, no worker running", link);

      // Nothing took it: the run still waits at the approval; opened again, the link says who decided.
      const run = (await api.get("/api/runs/q-1", { cookie: fin2 })).body;
      expect(run).toMatchObject({ status: "running", pending: [{ kind: "approval", nodeId: "review" }] });
      await link.reload();
      await link.getByRole("status").filter({ hasText: "Decided by fin2: declined" }).waitFor();
      expect(await link.getByRole("button", { name: "Approve" }).count()).toBe(0);

      // The run's page says the decision came and what it waits for to go on.
      await link.goto("/runs/q-1");
      const where = link.getByRole("region", { name: "Where the run is" });
      await eventually("the run's page to tell of the decision", async () => /Decision received: declined by fin2 \(.+\): it is taken once a worker picks the run up\./.test((await where.textContent()) ?? ""), 10_000);
      await s.step("the run's page, a decision not taken yet", link);
    });
  } finally {
    await quiet.stop();
  }
}, 300_000);

test("the runs list leads to a run by its workflow id, and filters by status", async () => {
  const workflowId = await startTransfer(500);
  await inBrowser(browser, server.url, "runs list", async (s) => {
    const { page } = s;
    await page.goto("/runs");
    await signIn(s, "ops", server.demoPassword);
    await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    await page.getByRole("link", { name: workflowId, exact: true }).waitFor();
    await s.step("runs");
    await page.getByRole("combobox", { name: "Status" }).selectOption("completed");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((url) => url.searchParams.get("status") === "completed");
    await eventually("the small transfer to be listed as completed", async () => {
      if ((await page.getByRole("link", { name: workflowId, exact: true }).count()) === 0) {
        await page.reload();
        return false;
      }
      return true;
    });
    await s.step("completed runs");
    await page.getByRole("link", { name: workflowId, exact: true }).click();
    await page.getByRole("heading", { name: workflowId, level: 1 }).waitFor();
    expect(await page.getByRole("status", { name: "Status" }).textContent()).toBe("completed");
    const result = await page.getByRole("region", { name: "Result" }).textContent();
    expect(result).toMatch(/receipt/);
    await s.step("completed run");
  });
}, 300_000);
