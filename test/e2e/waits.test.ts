// Where runs wait, on a workflow's drawing (issue 12), in Chromium: an operator opens a
// workflow whose runs wait at an approval and sees the count and the oldest wait's age on the
// node; opens another whose runs wait at a step that no live worker can run, and the node says
// so in words; follows a badge to the runs list filtered to that workflow and node; and turns
// the badges off. An approval that needs two approvers: the first approval reaches the run's
// page (over its event stream) and a colleague's inbox with no reload, "1 of 2 approvals".

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ApiClient } from "../app/api-client.ts";
import { startWeft, type WeftServer } from "../app/weft-server.ts";
import { eventually, inBrowser, launchBrowser, openSession, signIn } from "./browser.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let server: WeftServer;
let browser: Browser;
let api: ApiClient;
const as: Record<string, string> = {};

/** A payout whose activity no worker has loaded: its runs wait at the step, retrying in an hour. */
const PAYOUT = {
  name: "payout",
  title: "Payout",
  nodes: [
    { id: "start", type: "start" },
    { id: "pay", type: "step", label: "Pay out", activity: "bank.payout", retry: { initialInterval: "1h", maximumAttempts: 5 } },
    { id: "done", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "pay" },
    { id: "e2", source: "pay", target: "done" },
  ],
};

beforeAll(async () => {
  [server, browser] = await Promise.all([startWeft("sqlite"), launchBrowser()]);
  api = new ApiClient(server.url);
  for (const name of ["ada", "ops", "admin", "fin2"]) as[name] = await api.signIn(name, server.demoPassword);
  const twoApprovers = JSON.parse(readFileSync(path.join(root, "test/fixtures/two-approvers.json"), "utf8")) as { name: string };
  for (const doc of [PAYOUT, twoApprovers]) {
    expect((await api.put(`/api/workflows/${doc.name}`, { cookie: as.ada, body: doc })).status).toBe(201);
    expect((await api.post(`/api/workflows/${doc.name}/deploy`, { cookie: as.ada })).status).toBe(201);
  }
  const starts: [string, string, unknown][] = [
    ["money-transfer", "big-1", { from: "ACC-1", to: "ACC-2", amount: 25_000 }],
    ["money-transfer", "big-2", { from: "ACC-3", to: "ACC-4", amount: 40_000 }],
    ["payout", "payout-1", {}],
    ["payout", "payout-2", {}],
  ];
  for (const [name, workflowId, input] of starts) {
    const r = await api.post(`/api/workflows/${name}/runs`, { cookie: as.ops, body: { workflowId, input } });
    expect(r.status, r.text).toBe(201);
  }
  const waitingAt = async (name: string, nodeId: string) => ((await api.get(`/api/workflows/${name}/waiting`, { cookie: as.ops })).body as { nodeId: string; runs: number }[]).find((w) => w.nodeId === nodeId)?.runs ?? 0;
  await eventually("two transfers at their approval and two payouts at their step", async () => (await waitingAt("money-transfer", "review")) === 2 && (await waitingAt("payout", "pay")) === 2, 30_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test("an operator sees where runs wait on the drawing, that no worker runs a step's activity, and follows a badge to those runs", async () => {
  await inBrowser(browser, server.url, "where runs wait on the drawing", async (s) => {
    const { page } = s;
    s.allowAxe("aria-allowed-attr", /\.react-flow__node|^div\[data-id="/);
    await page.goto("/workflows/money-transfer");
    await signIn(s, "ops", server.demoPassword);
    const canvas = page.getByRole("application", { name: "Canvas" });
    const review = canvas.getByRole("link", { name: /^2 runs waiting at review, the oldest for \d+ seconds?: show them$/ });
    await review.waitFor({ timeout: 20_000 });
    expect(await review.textContent()).toMatch(/^2 waiting · oldest \d+ s$/);
    // Nodes where no run waits carry no badge.
    expect(await canvas.getByRole("link", { name: /runs? waiting at/ }).count()).toBe(1);
    await s.step("runs waiting at the approval");

    await page.goto("/workflows/payout");
    const pay = canvas.getByRole("group", { name: "Pay out", exact: true });
    const badge = pay.getByRole("link", { name: /^2 runs waiting at Pay out, the oldest for .+, no worker runs bank\.payout: show them$/ });
    await badge.waitFor({ timeout: 20_000 });
    expect(await badge.textContent()).toMatch(/^2 waiting · oldest \d+ (s|min)( · \d retrying)?$/);
    expect(await pay.textContent()).toContain("No worker runs bank.payout: start one");
    await s.step("a step no worker runs");

    // The switch hides the badges, and shows them again.
    const toggle = page.getByRole("toolbar", { name: "Drawing" }).getByRole("button", { name: "Waiting runs" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    await toggle.click();
    await eventually("the badges to go", async () => (await canvas.getByRole("link", { name: /runs? waiting at/ }).count()) === 0);
    expect(await pay.textContent()).not.toContain("No worker runs");
    await toggle.click();
    await badge.waitFor({ timeout: 20_000 });

    await badge.click();
    await page.waitForURL((url) => url.pathname === "/runs" && url.searchParams.get("name") === "payout" && url.searchParams.get("node") === "pay");
    await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    expect(await page.getByRole("textbox", { name: "Waiting at node" }).inputValue()).toBe("pay");
    for (const id of ["payout-1", "payout-2"]) await page.getByRole("link", { name: id, exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "big-1", exact: true }).count()).toBe(0);
    await s.step("the runs waiting at the step");
  });
}, 300_000);

test("a vote short of the quorum reaches the run page and a colleague's inbox live: 1 of 2 approvals, approved by fin2", async () => {
  const r = await api.post("/api/workflows/two-approvers/runs", { cookie: as.admin, body: { workflowId: "quorum-1", input: { amount: 75_000, to: "ACME Ltd" } } });
  expect(r.status, r.text).toBe(201);
  await eventually("quorum-1 at its approval", async () => (await api.get("/api/runs/quorum-1", { cookie: as.ops })).body.pending?.length > 0, 20_000);
  const colleague = await openSession(browser, server.url, "a colleague's inbox follows a vote");
  const runPage = await openSession(browser, server.url, "the run page follows a vote");
  try {
    await inBrowser(browser, server.url, "fin2 approves, one of two", async (s) => {
      const { page } = s;
      // Open before the vote: the run page (ops) and fin1's inbox.
      await runPage.page.goto("/runs/quorum-1");
      await signIn(runPage, "ops", server.demoPassword);
      const main = runPage.page.getByRole("main");
      await runPage.page.getByRole("heading", { name: "quorum-1", level: 1 }).waitFor();
      expect(await main.textContent()).toContain("0 of 2 approvals");
      await colleague.page.goto("/approvals");
      await signIn(colleague, "fin1", server.demoPassword);
      const theirs = colleague.page.getByRole("article", { name: /Approve payment.*quorum-1/ });
      await theirs.waitFor({ timeout: 20_000 });
      expect(await theirs.textContent()).toContain("0 of 2 approvals");

      await page.goto("/approvals");
      await signIn(s, "fin2", server.demoPassword);
      const mine = page.getByRole("article", { name: /Approve payment.*quorum-1/ });
      await mine.getByRole("textbox", { name: "Comment" }).fill("fine");
      await mine.getByRole("button", { name: "Approve" }).click();
      await eventually("the vote to be confirmed", async () => /1 of 2 approvals; it waits for another approver/.test((await page.getByRole("status").textContent()) ?? ""));
      await s.step("fin2 approved, one of two");

      // No reload on either: the run page hears of the vote over its stream, the inbox at its next look.
      await eventually("the votes on the run page", async () => /1 of 2 approvals, approved by fin2/.test((await main.textContent()) ?? ""), 10_000);
      await runPage.step("1 of 2 approvals on the run page");
      await eventually("the votes in fin1's inbox", async () => /1 of 2 approvals · approved by fin2/.test((await theirs.textContent()) ?? ""), 10_000);
      await colleague.step("1 of 2 approvals in a colleague's inbox");
    });
  } finally {
    await colleague.close();
    await runPage.close();
  }
}, 300_000);
