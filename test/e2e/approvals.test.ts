// Approvers at work, in Chromium: a transfer over 10,000 waits for finance; fin1 finds it in
// the inbox (with the run's drawing, the approval marked) and approves it with a comment, the
// run's page (open beside, its approval node waiting) turns "completed" with no reload, the
// node repainted in place, and fin2's inbox loses the item by itself; ops, outside finance, never sees it.

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startWeft, type WeftServer } from "../app/weft-server.ts";
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
      expect(await said.textContent()).toContain("Checked with the customer by phone");
      await item.waitFor({ state: "detached" });
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
