// The HTTP API of DESIGN.md, through real HTTP against the app as `npm start` runs it (the
// engine, a worker with the demo plugins and the app in one process), on SQLite and on
// PostgreSQL: every route, and every status it can answer.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, eventually, readEvents, type Answer } from "./api-client.ts";
import { startWeft, type WeftServer } from "./weft-server.ts";

const TRANSFER = { from: "ACC-1", to: "ACC-2", amount: 25_000 };

/** A document a designer might save: start → one step → end. */
function flow(name: string, activity = "orders.archive"): Record<string, unknown> {
  return {
    name,
    title: `Flow ${name}`,
    nodes: [
      { id: "start", type: "start" },
      { id: "archive", type: "step", label: "Archive it", activity, input: { id: "o-1" } },
      { id: "done", type: "end" },
    ],
    edges: [
      { id: "e1", source: "start", target: "archive" },
      { id: "e2", source: "archive", target: "done" },
    ],
  };
}

function expectError(r: Answer, status: number, code: string): void {
  expect(r.status, r.text).toBe(status);
  expect(r.body?.error?.code, r.text).toBe(code);
  expect(typeof r.body.error.message).toBe("string");
  expect(r.text).not.toMatch(/\n\s+at /); // never a stack trace
}

describe.each(["sqlite", "postgresql"] as const)("the HTTP API on %s", (kind) => {
  let weft: WeftServer;
  let api: ApiClient;
  const as: Record<string, string> = {};

  beforeAll(async () => {
    weft = await startWeft(kind);
    api = new ApiClient(weft.url);
    expect(weft.demoPassword).not.toBe("");
    for (const name of ["ada", "fin1", "fin2", "ops", "admin"]) as[name] = await api.signIn(name, weft.demoPassword);
  }, 180_000);

  afterAll(async () => {
    await weft?.stop();
  });

  async function startTransfer(workflowId: string, input: unknown = TRANSFER): Promise<Answer> {
    return api.post("/api/workflows/money-transfer/runs", { cookie: as.ops, body: { input, workflowId } });
  }

  async function waitingForApproval(workflowId: string): Promise<void> {
    await eventually(async () => {
      const r = await api.get(`/api/runs/${workflowId}`, { cookie: as.ops });
      return r.body?.pending?.some((p: { kind: string }) => p.kind === "approval") ? true : undefined;
    }, 20_000, `${workflowId} waiting for its approval`);
  }

  async function statusOf(workflowId: string, status: string): Promise<Answer> {
    return eventually(async () => {
      const r = await api.get(`/api/runs/${workflowId}`, { cookie: as.ops });
      return r.body?.status === status ? r : undefined;
    }, 20_000, `${workflowId} ${status}`);
  }

  describe("sign-in", () => {
    it("answers a wrong password and an unknown name alike, with 401", async () => {
      const wrong = await api.post("/api/session", { body: { name: "ada", password: "not-her-password" } });
      const unknown = await api.post("/api/session", { body: { name: "nobody", password: "whatever-it-is" } });
      expectError(wrong, 401, "UNAUTHORIZED");
      expectError(unknown, 401, "UNAUTHORIZED");
      expect(wrong.body.error.message).toBe(unknown.body.error.message);
      expect(wrong.headers.get("set-cookie")).toBeNull();
    });

    it("signs in with an HttpOnly, SameSite=Lax session cookie and tells who is signed in", async () => {
      const r = await api.post("/api/session", { body: { name: "fin1", password: weft.demoPassword } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ name: "fin1", displayName: expect.any(String), roles: ["finance"] });
      const cookie = r.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/^weft_session=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      const me = await api.get("/api/session", { cookie: cookie.split(";")[0] });
      expect(me.status).toBe(200);
      expect(me.body.name).toBe("fin1");
    });

    it("stops taking passwords for a name after ten failures (429), the right one included", async () => {
      const name = `locked-${kind}`;
      expect((await api.post("/api/people", { cookie: as.admin, body: { name, roles: [], password: "the-right-password" } })).status).toBe(201);
      for (let i = 0; i < 10; i++) expectError(await api.post("/api/session", { body: { name, password: `guess-${i}-guess` } }), 401, "UNAUTHORIZED");
      const limited = await api.post("/api/session", { body: { name, password: "the-right-password" } });
      expectError(limited, 429, "RATE_LIMITED");
      expect(limited.body.error.message).toMatch(/try again in \d+ minute/);
      // Others still sign in from the same address.
      expect((await api.post("/api/session", { body: { name: "fin2", password: weft.demoPassword } })).status).toBe(200);
    });

    it("refuses sign-in without an Origin, or from another origin", async () => {
      expectError(await api.post("/api/session", { origin: null, body: { name: "ada", password: weft.demoPassword } }), 403, "FORBIDDEN");
      expectError(await api.post("/api/session", { origin: "http://evil.example", body: { name: "ada", password: weft.demoPassword } }), 403, "FORBIDDEN");
    });

    it("answers 401 to every route without a session, and to a session signed out", async () => {
      for (const path of ["/api/session", "/api/workflows", "/api/runs", "/api/approvals", "/api/activities", "/api/runs/x/history", "/api/nowhere"]) {
        expectError(await api.get(path), 401, "UNAUTHORIZED");
      }
      const cookie = await api.signIn("ada", weft.demoPassword);
      const out = await api.delete("/api/session", { cookie });
      expect(out.status).toBe(204);
      expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
      expectError(await api.get("/api/session", { cookie }), 401, "UNAUTHORIZED");
    });

    it("refuses a cookie write from another origin, or with no Origin (403), and changes nothing", async () => {
      const id = `csrf-${kind}`;
      expectError(await api.post("/api/workflows/money-transfer/runs", { cookie: as.ops, origin: "http://evil.example", body: { input: TRANSFER, workflowId: id } }), 403, "FORBIDDEN");
      expectError(await api.post("/api/workflows/money-transfer/runs", { cookie: as.ops, origin: null, body: { input: TRANSFER, workflowId: id } }), 403, "FORBIDDEN");
      expectError(await api.get(`/api/runs/${id}`, { cookie: as.ops }), 404, "NOT_FOUND");
    });
  });

  describe("bearer tokens", () => {
    it("authenticate machine clients without an Origin, until revoked (then 401)", async () => {
      const created = await weft.cli(["token", "create", "ops", "--label", "ci", "--json"]);
      expect(created.code, created.stderr).toBe(0);
      const { id, token } = JSON.parse(created.stdout.trim().split("\n").at(-1)!);
      const me = await api.get("/api/session", { bearer: token });
      expect(me.body.name).toBe("ops");
      const started = await api.post("/api/workflows/order-item/runs", { bearer: token, origin: null, body: { input: { orderId: "o-9", sku: "sku-1", qty: 1 }, workflowId: `bearer-${kind}` } });
      expect(started.status, started.text).toBe(201);
      const revoked = await weft.cli(["token", "revoke", id]);
      expect(revoked.code, revoked.stderr).toBe(0);
      expectError(await api.get("/api/session", { bearer: token }), 401, "UNAUTHORIZED");
      expectError(await api.get("/api/runs", { bearer: "weft_not-a-token" }), 401, "UNAUTHORIZED");
    });
  });

  describe("workflows, drafts and versions", () => {
    it("lists the deployed workflows with their title, latest version and open runs", async () => {
      const r = await api.get("/api/workflows", { cookie: as.fin1 });
      expect(r.status).toBe(200);
      const transfer = r.body.find((w: { name: string }) => w.name === "money-transfer");
      expect(transfer).toMatchObject({ name: "money-transfer", title: "Money transfer with approval over 10,000", latestVersion: 1, openRuns: expect.any(Number), updatedAt: expect.any(String) });
    });

    it("gives the document with an ETag, and 404 for an unknown workflow", async () => {
      const r = await api.get("/api/workflows/money-transfer", { cookie: as.fin1 });
      expect(r.status).toBe(200);
      expect(r.body.document.name).toBe("money-transfer");
      expect(r.body.errors).toEqual([]);
      expect(r.headers.get("etag")).toBeTruthy();
      expectError(await api.get("/api/workflows/no-such-flow", { cookie: as.fin1 }), 404, "NOT_FOUND");
      expectError(await api.get("/api/workflows/..%2F..%2Fetc", { cookie: as.fin1 }), 404, "NOT_FOUND");
    });

    it("lets designers save drafts (201 for a new workflow), listed with no version until deployed", async () => {
      const name = `draft-${kind}`;
      expectError(await api.put(`/api/workflows/${name}`, { cookie: as.ops, body: flow(name) }), 403, "FORBIDDEN");
      const incomplete = { name, nodes: [{ id: "start", type: "start" }], edges: [] };
      const created = await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: incomplete });
      expect(created.status, created.text).toBe(201);
      expect(created.body.errors.length).toBeGreaterThan(0);
      expect(created.body.errors[0]).toEqual({ id: expect.any(String), message: expect.any(String) });
      const listed = (await api.get("/api/workflows", { cookie: as.ada })).body.find((w: { name: string }) => w.name === name);
      expect(listed).toMatchObject({ name, latestVersion: null });
      expect((await api.get(`/api/workflows/${name}/versions`, { cookie: as.ada })).body).toEqual([]);
      expectError(await api.post(`/api/workflows/${name}/deploy`, { cookie: as.ada }), 422, "INVALID");
      expect((await api.get(`/api/workflows/${name}/versions`, { cookie: as.ada })).body).toEqual([]);
    });

    it("refuses a save over a draft changed since it was read (If-Match), and overwrites without it", async () => {
      const name = `etag-${kind}`;
      const first = await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: flow(name) });
      const etag = first.headers.get("etag")!;
      const second = await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: { ...flow(name), title: "Second" }, headers: { "if-match": etag } });
      expect(second.status).toBe(200);
      expectError(await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: { ...flow(name), title: "Stale" }, headers: { "if-match": etag } }), 409, "CONFLICT");
      expect((await api.get(`/api/workflows/${name}`, { cookie: as.ada })).body.document.title).toBe("Second");
      expect((await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: { ...flow(name), title: "Third" } })).status).toBe(200);
    });

    it("refuses a draft whose name is not the workflow's (422 naming the field) and a body that is no document (400)", async () => {
      const r = await api.put(`/api/workflows/name-${kind}`, { cookie: as.ada, body: flow("other-name") });
      expectError(r, 422, "INVALID");
      expect(r.body.error.errors).toEqual([expect.objectContaining({ id: "name" })]);
      expectError(await api.put(`/api/workflows/name-${kind}`, { cookie: as.ada, body: [1, 2] }), 400, "BAD_REQUEST");
      expectError(await api.put(`/api/workflows/Bad_Name`, { cookie: as.ada, body: flow("bad") }), 400, "BAD_REQUEST");
    });

    it("deploys a draft as a new version once (deployedBy recorded), and says when nothing changed", async () => {
      const name = `deploy-${kind}`;
      await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: flow(name) });
      expectError(await api.post(`/api/workflows/${name}/deploy`, { cookie: as.ops }), 403, "FORBIDDEN");
      const deployed = await api.post(`/api/workflows/${name}/deploy`, { cookie: as.ada });
      expect(deployed.status, deployed.text).toBe(201);
      expect(deployed.body).toMatchObject({ name, version: 1, hash: expect.any(String) });
      const again = await api.post(`/api/workflows/${name}/deploy`, { cookie: as.ada });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ name, version: 1, created: false });
      const versions = await api.get(`/api/workflows/${name}/versions`, { cookie: as.fin1 });
      expect(versions.body).toEqual([{ version: 1, hash: deployed.body.hash, deployedAt: expect.any(String), deployedBy: "ada" }]);
      const one = await api.get(`/api/workflows/${name}/versions/1`, { cookie: as.fin1 });
      expect(one.body).toMatchObject({ version: 1, hash: deployed.body.hash, document: { name } });
      expect(one.body.code).toMatch(/archive/);
      expectError(await api.get(`/api/workflows/${name}/versions/2`, { cookie: as.fin1 }), 404, "NOT_FOUND");
      expectError(await api.get(`/api/workflows/${name}/versions/abc`, { cookie: as.fin1 }), 404, "NOT_FOUND");
      expectError(await api.post(`/api/workflows/nothing-here/deploy`, { cookie: as.ada }), 404, "NOT_FOUND");
    });

    it("restores a version as the draft: says first whether the draft would lose changes no version holds, then saves it over the draft's etag (designers)", async () => {
      const name = `restore-${kind}`;
      await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: flow(name) });
      expect((await api.post(`/api/workflows/${name}/deploy`, { cookie: as.ada })).status).toBe(201);
      await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: flow(name, "orders.fulfill") });
      expect((await api.post(`/api/workflows/${name}/deploy`, { cookie: as.ada })).status).toBe(201);
      const restore = `/api/workflows/${name}/versions/1/restore`;
      // The draft is version 2's drawing: nothing would be lost.
      const kept = await api.get(restore, { cookie: as.fin1 });
      expect(kept.body).toEqual({ version: 1, newest: 2, draft: "kept", keptIn: 2, etag: expect.any(String) });
      // Edited since: restoring would replace that.
      const edited = await api.put(`/api/workflows/${name}`, { cookie: as.ada, body: { ...flow(name, "orders.fulfill"), title: "Edited" } });
      const plan = await api.get(restore, { cookie: as.ada });
      expect(plan.body).toEqual({ version: 1, newest: 2, draft: "replaced", etag: edited.headers.get("etag") });
      expectError(await api.post(restore, { cookie: as.ops, headers: { "if-match": plan.body.etag } }), 403, "FORBIDDEN");
      const restored = await api.post(restore, { cookie: as.ada, headers: { "if-match": plan.body.etag } });
      expect(restored.status, restored.text).toBe(200);
      expect(restored.body).toMatchObject({ version: 1, document: flow(name), errors: [] });
      const draft = await api.get(`/api/workflows/${name}`, { cookie: as.ada });
      expect(draft.body.document).toEqual(flow(name));
      expect(draft.headers.get("etag")).toBe(restored.headers.get("etag"));
      expect((await api.get(restore, { cookie: as.ada })).body.draft).toBe("same");
      // Over a draft changed since the etag it was shown: a conflict, and the draft stays.
      expectError(await api.post(`/api/workflows/${name}/versions/2/restore`, { cookie: as.ada, headers: { "if-match": plan.body.etag } }), 409, "CONFLICT");
      expect((await api.get(`/api/workflows/${name}`, { cookie: as.ada })).body.document).toEqual(flow(name));
      expectError(await api.get(`/api/workflows/${name}/versions/3/restore`, { cookie: as.ada }), 404, "NOT_FOUND");
      expectError(await api.post(`/api/workflows/${name}/versions/0/restore`, { cookie: as.ada }), 404, "NOT_FOUND");
    });

    it("lists the activities the worker registered, with their titles and input schemas", async () => {
      const r = await api.get("/api/activities", { cookie: as.ada });
      expect(r.status).toBe(200);
      expect(r.body).toContainEqual(expect.objectContaining({ name: "orders.init", title: "Initiate order", inputSchema: expect.objectContaining({ type: "object" }) }));
    });
  });

  describe("runs", () => {
    it("starts a run for operators (201), refuses others (403), a duplicate open id (409) and a bad id (400)", async () => {
      const id = `transfer-${kind}-1`;
      expectError(await api.post("/api/workflows/money-transfer/runs", { cookie: as.ada, body: { input: TRANSFER, workflowId: id } }), 403, "FORBIDDEN");
      const r = await startTransfer(id);
      expect(r.status, r.text).toBe(201);
      expect(r.body).toEqual({ workflowId: id, runId: expect.any(String) });
      expectError(await startTransfer(id), 409, "CONFLICT");
      expectError(await startTransfer("has spaces"), 400, "BAD_REQUEST");
      expectError(await startTransfer("x".repeat(201)), 400, "BAD_REQUEST");
      expectError(await api.post("/api/workflows/no-such-flow/runs", { cookie: as.ops, body: { input: {} } }), 404, "NOT_FOUND");
    });

    it("refuses input that does not match the inputSchema (422, each error a JSON Pointer into the input)", async () => {
      const r = await startTransfer(`bad-input-${kind}`, { from: "A", amount: "lots" });
      expectError(r, 422, "INVALID");
      const ids = r.body.error.errors.map((e: { id: string }) => e.id);
      expect(ids).toContain("/amount");
      expect(ids.some((id: string) => id === "" || id === "/to" || id === "/")).toBe(true);
      expectError(await api.get(`/api/runs/bad-input-${kind}`, { cookie: as.ops }), 404, "NOT_FOUND");
    });

    it("describes a run, gives its history, and 404 for an unknown one", async () => {
      const id = `transfer-${kind}-1`;
      await waitingForApproval(id);
      const d = await api.get(`/api/runs/${id}`, { cookie: as.fin1 });
      expect(d.body).toMatchObject({ workflowId: id, name: "money-transfer", version: 1, status: "running" });
      expect(d.body.pending).toContainEqual(expect.objectContaining({ nodeId: "review", kind: "approval" }));
      const h = await api.get(`/api/runs/${id}/history`, { cookie: as.fin1 });
      expect(h.body[0]).toMatchObject({ seq: 1, type: "WorkflowStarted", at: expect.any(String) });
      expectError(await api.get("/api/runs/nobody-here", { cookie: as.fin1 }), 404, "NOT_FOUND");
      expectError(await api.get("/api/runs/nobody-here/history", { cookie: as.fin1 }), 404, "NOT_FOUND");
    });

    it("pages the runs list by cursor, newest first, with filters", async () => {
      for (let i = 0; i < 5; i++) {
        const r = await api.post("/api/workflows/order-item/runs", { cookie: as.ops, body: { input: { orderId: `o-${i}`, sku: "sku-1", qty: 1 }, workflowId: `page-${kind}-${i}` } });
        expect(r.status).toBe(201);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await api.get(`/api/runs?q=page-${kind}-&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { cookie: as.fin1 });
        expect(r.status, r.text).toBe(200);
        expect(r.body.runs.length).toBeLessThanOrEqual(2);
        seen.push(...r.body.runs.map((run: { workflowId: string }) => run.workflowId));
        cursor = r.body.next;
      } while (cursor);
      expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `page-${kind}-${i}`));
      const byName = await api.get("/api/runs?name=money-transfer", { cookie: as.fin1 });
      expect(byName.body.runs.every((r: { name: string }) => r.name === "money-transfer")).toBe(true);
      const atReview = await api.get("/api/runs?node=review", { cookie: as.fin1 });
      expect(atReview.body.runs.map((r: { workflowId: string }) => r.workflowId)).toContain(`transfer-${kind}-1`);
      expectError(await api.get("/api/runs?status=sleeping", { cookie: as.fin1 }), 400, "BAD_REQUEST");
      expectError(await api.get("/api/runs?cursor=not-a-cursor", { cookie: as.fin1 }), 400, "BAD_REQUEST");
      expectError(await api.get("/api/runs?limit=0", { cookie: as.fin1 }), 400, "BAD_REQUEST");
    });

    it("tells per node how many runs wait there", async () => {
      const r = await api.get("/api/workflows/money-transfer/waiting", { cookie: as.fin1 });
      expect(r.status).toBe(200);
      expect(r.body).toContainEqual(expect.objectContaining({ nodeId: "review", runs: expect.any(Number), oldestSince: expect.any(String), retrying: 0 }));
      expectError(await api.get("/api/workflows/no-such-flow/waiting", { cookie: as.fin1 }), 404, "NOT_FOUND");
    });

    it("signals, cancels and terminates for operators only, recording who did it", async () => {
      const id = `cancel-${kind}`;
      expect((await startTransfer(id)).status).toBe(201);
      await waitingForApproval(id);
      expectError(await api.post(`/api/runs/${id}/signals/go`, { cookie: as.ops, body: { payload: 1 } }), 404, "NOT_FOUND");
      expectError(await api.post(`/api/runs/${id}/cancel`, { cookie: as.ada }), 403, "FORBIDDEN");
      const cancelled = await api.post(`/api/runs/${id}/cancel`, { cookie: as.ops, body: { reason: "client withdrew" } });
      expect(cancelled.status, cancelled.text).toBe(200);
      expect(cancelled.body.status).toBe("cancelled");
      const history = (await api.get(`/api/runs/${id}/history`, { cookie: as.ops })).body;
      expect(history.at(-1)).toMatchObject({ type: "WorkflowCancelled", by: "ops" });
      expectError(await api.post(`/api/runs/${id}/cancel`, { cookie: as.ops }), 409, "NOT_RUNNING");
      expectError(await api.post(`/api/runs/${id}/terminate`, { cookie: as.ops }), 409, "NOT_RUNNING");
      expectError(await api.post(`/api/runs/${id}/retry`, { cookie: as.ops }), 409, "CONFLICT");
      expectError(await api.post(`/api/runs/nobody/cancel`, { cookie: as.ops }), 404, "NOT_FOUND");
    });
  });

  describe("approvals", () => {
    it("lists an approval only to those who may decide it", async () => {
      const id = `transfer-${kind}-1`;
      const fin = await api.get("/api/approvals", { cookie: as.fin1 });
      expect(fin.status).toBe(200);
      expect(fin.body).toContainEqual(expect.objectContaining({ workflowId: id, nodeId: "review", title: "Approve transfer", message: "Transfer 25000 from ACC-1 to ACC-2", assignees: ["finance"], since: expect.any(String), dueAt: expect.any(String) }));
      for (const other of ["ops", "ada", "admin"]) {
        const r = await api.get("/api/approvals", { cookie: as[other] });
        expect(r.body.map((a: { workflowId: string }) => a.workflowId), other).not.toContain(id);
      }
    });

    it("refuses a decision from someone neither named nor in a named role (403), leaving the history unchanged", async () => {
      const id = `transfer-${kind}-1`;
      const before = (await api.get(`/api/runs/${id}/history`, { cookie: as.ops })).body;
      for (const other of ["ops", "admin"]) {
        expectError(await api.post(`/api/approvals/${id}/review`, { cookie: as[other], body: { decision: "approve" } }), 403, "FORBIDDEN");
      }
      await new Promise((r) => setTimeout(r, 300));
      expect((await api.get(`/api/runs/${id}/history`, { cookie: as.ops })).body).toEqual(before);
      expect((await api.get(`/api/runs/${id}`, { cookie: as.ops })).body.status).toBe("running");
    });

    it("takes the first decision (200, who and when) and refuses a second one (409), even before the run took the first", async () => {
      const id = `transfer-${kind}-1`;
      expectError(await api.post(`/api/approvals/${id}/review`, { cookie: as.fin1, body: { decision: "maybe" } }), 400, "BAD_REQUEST");
      expectError(await api.post(`/api/approvals/${id}/nowhere`, { cookie: as.fin1, body: { decision: "approve" } }), 404, "NOT_FOUND");
      const [first, second] = await Promise.all([
        api.post(`/api/approvals/${id}/review`, { cookie: as.fin1, body: { decision: "approve", comment: "checked with the client" } }),
        api.post(`/api/approvals/${id}/review`, { cookie: as.fin2, body: { decision: "decline" } }),
      ]);
      const [won, lost] = first.status === 200 ? [first, second] : [second, first];
      expect(won.status, won.text).toBe(200);
      expectError(lost, 409, "CONFLICT");
      expect(won.body).toMatchObject({ workflowId: id, nodeId: "review", approved: expect.any(Boolean), by: expect.stringMatching(/^fin[12]$/), at: expect.any(String) });
      expectError(await api.post(`/api/approvals/${id}/review`, { cookie: as.fin2, body: { decision: "approve" } }), 409, "CONFLICT");
      // Either may win the race: an approval completes the transfer, a decline fails it (its "declined" end).
      await statusOf(id, won.body.approved ? "completed" : "failed");
      const received = (await api.get(`/api/runs/${id}/history`, { cookie: as.ops })).body.find((e: { type: string }) => e.type === "SignalReceived");
      expect(received.payload.by).toBe(won.body.by);
      expect((await api.get("/api/approvals", { cookie: as.fin1 })).body.map((a: { workflowId: string }) => a.workflowId)).not.toContain(id);
    });
  });

  describe("the event stream", () => {
    it("sends the whole history, then each new event, and closes after the run's end", async () => {
      const id = `stream-${kind}`;
      expect((await startTransfer(id)).status).toBe(201);
      await waitingForApproval(id);
      const url = `${weft.url}/api/runs/${id}/stream`;
      const reading = readEvents(url, { cookie: as.ops });
      await new Promise((r) => setTimeout(r, 300));
      expect((await api.post(`/api/approvals/${id}/review`, { cookie: as.fin1, body: { decision: "approve" } })).status).toBe(200);
      const { events, closedByServer, contentType } = await reading;
      expect(contentType).toMatch(/^text\/event-stream/);
      expect(closedByServer).toBe(true);
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
      expect(events.map((e) => e.data.seq)).toEqual(events.map((e) => e.id));
      expect(events.at(-1)!.data.type).toBe("WorkflowCompleted");

      // A client that lost the connection after event 3 gets exactly what followed.
      const resumed = await readEvents(url, { cookie: as.ops, lastEventId: 3 });
      expect(resumed.events.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id));
      expect(resumed.events.map((e) => e.data)).toEqual(events.slice(3).map((e) => e.data));
    });

    it("answers 404 for an unknown run and 400 for a malformed Last-Event-ID", async () => {
      expect((await readEvents(`${weft.url}/api/runs/nobody/stream`, { cookie: as.ops })).status).toBe(404);
      const bad = await api.get(`/api/runs/transfer-${kind}-1/stream`, { cookie: as.ops, headers: { "last-event-id": "abc" } });
      expectError(bad, 400, "BAD_REQUEST");
    });
  });

  describe("people", () => {
    it("are managed by admins only", async () => {
      expectError(await api.get("/api/people", { cookie: as.ops }), 403, "FORBIDDEN");
      const list = await api.get("/api/people", { cookie: as.admin });
      expect(list.body.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["ada", "admin", "fin1", "fin2", "ops"]));
      expect(list.text).not.toMatch(/scrypt|hash/i);
      const added = await api.post("/api/people", { cookie: as.admin, body: { name: `grace-${kind}`, displayName: "Grace", roles: ["legal"], password: "a-long-password" } });
      expect(added.status, added.text).toBe(201);
      expectError(await api.post("/api/people", { cookie: as.admin, body: { name: `grace-${kind}`, roles: [] } }), 409, "CONFLICT");
      expectError(await api.post("/api/people", { cookie: as.admin, body: { name: "Not Valid", roles: [] } }), 400, "BAD_REQUEST");
      expectError(await api.post("/api/people", { cookie: as.ops, body: { name: "sneaky", roles: ["admin"] } }), 403, "FORBIDDEN");
      const grace = await api.signIn(`grace-${kind}`, "a-long-password");
      expect((await api.get("/api/session", { cookie: grace })).body.roles).toEqual(["legal"]);
      const changed = await api.patch(`/api/people/grace-${kind}`, { cookie: as.admin, body: { roles: ["legal", "finance"] } });
      expect(changed.body).toMatchObject({ name: `grace-${kind}`, roles: ["legal", "finance"] });
      expectError(await api.patch("/api/people/nobody", { cookie: as.admin, body: {} }), 404, "NOT_FOUND");
      expectError(await api.patch(`/api/people/grace-${kind}`, { cookie: as.ops, body: { roles: ["admin"] } }), 403, "FORBIDDEN");
      // A new password signs the person out everywhere.
      expect((await api.patch(`/api/people/grace-${kind}`, { cookie: as.admin, body: { password: "another-long-one" } })).status).toBe(200);
      expectError(await api.get("/api/session", { cookie: grace }), 401, "UNAUTHORIZED");
      expect((await api.delete(`/api/people/grace-${kind}`, { cookie: as.admin })).status).toBe(204);
      expectError(await api.post("/api/session", { body: { name: `grace-${kind}`, password: "another-long-one" } }), 401, "UNAUTHORIZED");
    });
  });

  describe("limits", () => {
    it("refuses bodies that are not JSON, nest deeper than 64 levels (400) or are over 1 MiB (413)", async () => {
      expectError(await api.post("/api/workflows/money-transfer/runs", { cookie: as.ops, raw: "{not json" }), 400, "BAD_REQUEST");
      const deep = `${"[".repeat(65)}${"]".repeat(65)}`;
      expectError(await api.post("/api/workflows/money-transfer/runs", { cookie: as.ops, raw: `{"input": ${deep}}` }), 400, "BAD_REQUEST");
      const huge = JSON.stringify({ input: { blob: "x".repeat(1024 * 1024 + 10) } });
      expectError(await api.post("/api/workflows/money-transfer/runs", { cookie: as.ops, raw: huge }), 413, "TOO_LARGE");
      expectError(await api.get("/api/nowhere/at/all", { cookie: as.ops }), 404, "NOT_FOUND");
    });
  });
});
