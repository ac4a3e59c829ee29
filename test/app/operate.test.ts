// Operating runs over the HTTP API (issue 12), against the app as `npm start` runs it (SQLite;
// the engine tests cover PostgreSQL): an approval that refuses the run's starter (403 with the
// reason) and needs two different approvers ("1 of 2" in the inbox; the same person twice is
// 409), a decision link that a GET reads and never decides, the runs list by version and start
// time with live counts, bulk cancel by an operator (and by nobody else), and the outbox.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, eventually, type Answer } from "./api-client.ts";
import { startWeft, type WeftServer } from "./weft-server.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Two approvers of finance (or admin), not the starter. */
const TWO = { ...JSON.parse(readFileSync(path.join(root, "test/fixtures/two-approvers.json"), "utf8")) };
TWO.nodes = TWO.nodes.map((n: { id: string }) => (n.id === "review" ? { ...n, assignees: ["finance", "admin"] } : n));

function expectError(r: Answer, status: number, code: string): void {
  expect(r.status, r.text).toBe(status);
  expect(r.body?.error?.code, r.text).toBe(code);
}

describe("operating runs over the HTTP API", () => {
  let weft: WeftServer;
  let api: ApiClient;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    weft = await startWeft("sqlite");
    api = new ApiClient(weft.url);
    for (const name of ["ada", "fin1", "fin2", "ops", "admin"]) as[name] = await api.signIn(name, weft.demoPassword);
    expect((await api.put("/api/workflows/two-approvers", { cookie: as.ada, body: TWO })).status).toBe(201);
    expect((await api.post("/api/workflows/two-approvers/deploy", { cookie: as.ada })).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await weft?.stop();
  });

  const waiting = (id: string) =>
    eventually(async () => ((await api.get(`/api/runs/${id}`, { cookie: as.ops })).body?.pending?.some((p: { kind: string }) => p.kind === "approval") ? true : undefined), 20_000, `${id} at its approval`);

  it("refuses the starter (403, with the reason), needs two different approvers, and shows 1 of 2 in the inbox", async () => {
    const id = "two-1";
    expect((await api.post("/api/workflows/two-approvers/runs", { cookie: as.admin, body: { workflowId: id, input: { amount: 60000, to: "ACME" } } })).status).toBe(201);
    await waiting(id);
    const before = (await api.get(`/api/runs/${id}/history`, { cookie: as.ops })).body;

    const own = await api.post(`/api/approvals/${id}/review`, { cookie: as.admin, body: { decision: "approve" } });
    expectError(own, 403, "FORBIDDEN");
    expect(own.body.error.message).toMatch(/started the run/);
    expect((await api.get("/api/approvals", { cookie: as.admin })).body.map((a: { workflowId: string }) => a.workflowId)).not.toContain(id);
    // A decision link is read, never decided by a GET, and says why the starter may not.
    const link = await api.get(`/api/approvals/${id}/review`, { cookie: as.admin });
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ mayDecide: false, reason: expect.stringMatching(/started this run/), approval: { workflowId: id, workflowTitle: TWO.title, quorum: 2 } });
    const outsider = await api.get(`/api/approvals/${id}/review`, { cookie: as.ops });
    expect(outsider.body).toMatchObject({ mayDecide: false, reason: expect.stringMatching(/finance, admin: you are not one of them/) });
    expect((await api.get(`/api/approvals/${id}/review`, { cookie: as.fin1 })).body).toMatchObject({ mayDecide: true });
    expect((await api.get(`/api/runs/${id}/history`, { cookie: as.ops })).body).toEqual(before);

    const inbox = (await api.get("/api/approvals", { cookie: as.fin1 })).body.find((a: { workflowId: string }) => a.workflowId === id);
    expect(inbox).toMatchObject({ workflowTitle: TWO.title, input: { amount: 60000, to: "ACME" }, startedBy: "admin", quorum: 2, approvals: [], notStarter: true });
    const first = await api.post(`/api/approvals/${id}/review`, { cookie: as.fin1, body: { decision: "approve", comment: "fine" } });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ approved: true, by: "fin1", quorum: 2, approvals: [{ by: "fin1", comment: "fine" }] });
    expectError(await api.post(`/api/approvals/${id}/review`, { cookie: as.fin1, body: { decision: "approve" } }), 409, "CONFLICT");
    const theirs = (await api.get("/api/approvals", { cookie: as.fin2 })).body.find((a: { workflowId: string }) => a.workflowId === id);
    expect(theirs.approvals).toEqual([expect.objectContaining({ by: "fin1" })]);
    expect((await api.get(`/api/runs/${id}`, { cookie: as.ops })).body.status).toBe("running");

    expect((await api.post(`/api/approvals/${id}/review`, { cookie: as.fin2, body: { decision: "approve" } })).status).toBe(200);
    const done = await eventually(async () => {
      const r = await api.get(`/api/runs/${id}`, { cookie: as.ops });
      return r.body.status === "completed" ? r.body : undefined;
    });
    expect(done.result).toEqual({ approvedBy: "fin2" });
  });

  it("lists runs by version and start time with live counts, and cancels a selection for operators only", async () => {
    const from = new Date().toISOString();
    for (let i = 0; i < 3; i++) expect((await api.post("/api/workflows/two-approvers/runs", { cookie: as.ops, body: { workflowId: `bulk-${i}`, input: { amount: 1, to: "X" } } })).status).toBe(201);
    const listed = await api.get(`/api/runs?name=two-approvers&version=1&from=${encodeURIComponent(from)}&counts=true`, { cookie: as.fin1 });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.runs.map((r: { workflowId: string }) => r.workflowId).sort()).toEqual(["bulk-0", "bulk-1", "bulk-2"]);
    expect(listed.body.counts).toEqual({ running: 3, completed: 0, failed: 0, cancelled: 0, terminated: 0 });
    expect((await api.get("/api/runs?version=2&name=two-approvers", { cookie: as.fin1 })).body.runs).toEqual([]);
    expectError(await api.get("/api/runs?from=soon", { cookie: as.fin1 }), 400, "BAD_REQUEST");

    expectError(await api.post("/api/runs", { cookie: as.fin1, body: { action: "cancel", workflowIds: ["bulk-0"] } }), 403, "FORBIDDEN");
    expectError(await api.post("/api/runs", { cookie: as.ops, body: { action: "explode", workflowIds: ["bulk-0"] } }), 400, "BAD_REQUEST");
    const bulk = await api.post("/api/runs", { cookie: as.ops, body: { action: "cancel", workflowIds: ["bulk-0", "bulk-1", "two-1"], reason: "test clean-up" } });
    expect(bulk.status, bulk.text).toBe(200);
    expect(bulk.body.done).toEqual(["bulk-0", "bulk-1"]);
    expect(bulk.body.failed).toEqual([expect.objectContaining({ workflowId: "two-1", code: "NOT_RUNNING" })]);
    const history = (await api.get("/api/runs/bulk-0/history", { cookie: as.ops })).body;
    expect(history.at(-1)).toMatchObject({ type: "WorkflowCancelled", by: "ops", reason: "test clean-up" });
    const counts = (await api.get(`/api/runs?name=two-approvers&from=${encodeURIComponent(from)}&counts=true`, { cookie: as.ops })).body.counts;
    expect(counts).toEqual({ running: 1, completed: 0, failed: 0, cancelled: 2, terminated: 0 });
  });

  it("shows the demo plugins' payments and e-mails in the outbox, with the run they came from", async () => {
    const id = "outbox-1";
    expect((await api.post("/api/workflows/money-transfer/runs", { cookie: as.ops, body: { workflowId: id, input: { from: "ACC-7", to: "ACC-8", amount: 70 } } })).status).toBe(201);
    const entries = await eventually(async () => {
      const r = await api.get(`/api/outbox?workflowId=${id}`, { cookie: as.fin2 });
      return r.body.length > 0 ? r.body : undefined;
    });
    expect(entries).toEqual([expect.objectContaining({ kind: "payment", from: "ACC-7", to: "ACC-8", amount: 70, workflowId: id, nodeId: "transfer", id: expect.stringMatching(/^tx-/) })]);
    expectError(await api.get("/api/outbox?limit=0", { cookie: as.fin2 }), 400, "BAD_REQUEST");
  });
});
