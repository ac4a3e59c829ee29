// The server side of the live inbox, in this process (the route handlers over a facade on a
// fresh SQLite database, as `weft dev` serves them, with a worker we can stop):
// GET /api/approvals/stream answers 401 to no one signed in, then gives a signed-in person their
// list at once and again at each change; a colleague's decision (POST .../approvals/...) takes
// the item away as soon as its 200 is answered, with no worker running; the run's stream tells
// a decision link's page who decided (`event: decision`); and a client that goes stops the feed.

import { afterAll, beforeAll, expect, test } from "vitest";
import { publishFacade } from "../../engine/cli/app-server.ts";
import { Engine } from "../../engine/engine.ts";
import { Weft } from "../../engine/facade.ts";
import type { PendingApproval } from "../../engine/views.ts";
import { Worker } from "../../engine/worker/worker.ts";
import { GET as approvalsStream } from "../../app/api/approvals/stream/route.ts";
import { POST as decide } from "../../app/api/approvals/[workflowId]/[nodeId]/route.ts";
import { GET as runStream } from "../../app/api/runs/[workflowId]/stream/route.ts";
import { freshDatabases } from "../engine/fresh-databases.ts";

const databases = freshDatabases("approvals-stream");
const ORIGIN = "http://localhost:3000";
let engine: Engine;
let weft: Weft;
let worker: Worker | undefined;
const sessions: Record<string, string> = {};

const DOC = {
  name: "review-one",
  title: "Review one",
  nodes: [
    { id: "start", type: "start" },
    { id: "review", type: "approval", title: "Review", message: "=`Pay ${input.amount}`", assignees: ["finance"], output: "decision" },
    { id: "ok", type: "end", result: "=decision" },
    { id: "no", type: "end", status: "failed", error: "declined" },
  ],
  edges: [
    { id: "e1", source: "start", target: "review" },
    { id: "e2", source: "review", target: "ok", sourceHandle: "approved" },
    { id: "e3", source: "review", target: "no", sourceHandle: "declined" },
  ],
};

beforeAll(async () => {
  engine = await Engine.open({ url: databases.freshUrl("sqlite") });
  weft = Weft.over(engine);
  await engine.deploy(DOC);
  for (const [name, roles] of [["fin1", ["finance"]], ["fin2", ["finance"]], ["ops", ["operator"]]] as const) {
    await weft.people.add({ name, roles: [...roles], password: "a long enough password" });
    sessions[name] = (await weft.people.signIn(name, "a long enough password", "127.0.0.1")).session;
  }
  publishFacade(weft);
  worker = new Worker(engine, new Map(), { pollMs: 50, leaseMs: 5_000, log: () => {} });
  await worker.start();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  publishFacade(undefined);
  await engine?.close();
  await databases.cleanup();
});

const request = (path: string, as: string | undefined, init: RequestInit = {}) =>
  new Request(`${ORIGIN}${path}`, { ...init, headers: { ...(as ? { cookie: `weft_session=${sessions[as]}` } : {}), ...(init.headers as Record<string, string>) } });

/** Reads server-sent events from a response as they come: each with its event name, data and when. */
function events(response: Response) {
  const seen: { at: number; event: string; data: string; id?: string }[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = { event: "message", data: [] as string[], id: undefined as string | undefined };
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) fields.event = line.slice(7);
          else if (line.startsWith("data: ")) fields.data.push(line.slice(6));
          else if (line.startsWith("id: ")) fields.id = line.slice(4);
        }
        if (fields.data.length > 0) seen.push({ at: Date.now(), event: fields.event, data: fields.data.join("\n"), ...(fields.id ? { id: fields.id } : {}) });
      }
    }
    ended = true;
  })();
  return {
    seen,
    get ended() {
      return ended;
    },
    lists: () => seen.filter((e) => e.event === "message").map((e) => ({ at: e.at, list: JSON.parse(e.data) as PendingApproval[] })),
    async until<T>(what: string, find: () => T | undefined, ms = 10_000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; seen: ${JSON.stringify(seen).slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    reading,
  };
}

async function waitingAtReview(workflowId: string) {
  const deadline = Date.now() + 15_000;
  while ((await engine.describe(workflowId)).pending[0]?.kind !== "approval") {
    if (Date.now() > deadline) throw new Error(`${workflowId} never waited at review`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("no one signed in is refused before any stream opens", async () => {
  const response = await approvalsStream(request("/api/approvals/stream", undefined));
  expect(response.status).toBe(401);
  expect(await response.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
});

test("an inbox's stream: the list at once, a new wait, then gone the moment a colleague's decision is answered, with no worker to take it", async () => {
  const stop = new AbortController();
  const fin1 = await approvalsStream(request("/api/approvals/stream", "fin1", { signal: stop.signal }));
  expect(fin1.status).toBe(200);
  expect(fin1.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const inbox = events(fin1);
  const ops = events(await approvalsStream(request("/api/approvals/stream", "ops", { signal: stop.signal })));
  try {
    await inbox.until("the first list", () => inbox.lists()[0]);
    expect(inbox.lists()[0]!.list).toEqual([]);

    await weft.start(DOC.name, { workflowId: "s-1", input: { amount: 12 } }, "ops");
    await waitingAtReview("s-1");
    const listed = await inbox.until("s-1 listed", () => inbox.lists().find((l) => l.list.some((a) => a.workflowId === "s-1")));
    expect(listed.list[0]).toMatchObject({ workflowId: "s-1", nodeId: "review", title: "Review", message: "Pay 12", workflowTitle: "Review one", input: { amount: 12 }, startedBy: "ops" });

    // A decision link's page follows the run's stream.
    const runStop = new AbortController();
    const run = events(await runStream(request("/api/runs/s-1/stream", "fin1", { signal: runStop.signal }), { params: Promise.resolve({ workflowId: "s-1" }) }));
    await run.until("the run's history so far", () => run.seen.find((e) => e.event === "message" && JSON.parse(e.data).type === "ApprovalRequested"));

    await worker!.stop();
    worker = undefined;
    const sent = Date.now();
    const answer = await decide(
      request("/api/approvals/s-1/review", "fin2", { method: "POST", headers: { origin: ORIGIN, "content-type": "application/json" }, body: JSON.stringify({ decision: "decline", comment: "not this month" }) }),
      { params: Promise.resolve({ workflowId: "s-1", nodeId: "review" }) },
    );
    const answered = Date.now();
    expect(answer.status).toBe(200);
    const decision = (await answer.json()) as { at: string };
    const gone = await inbox.until("s-1 gone", () => inbox.lists().find((l) => l.at >= sent && !l.list.some((a) => a.workflowId === "s-1")));
    const told = await run.until("the run's stream to tell of the decision", () => run.seen.find((e) => e.event === "decision"));
    console.log(`the decide call answered in ${answered - sent} ms; the inbox's stream dropped the item ${gone.at - answered} ms after, the run's stream said who decided ${told.at - answered} ms after`);
    expect(gone.at - answered).toBeLessThan(1000);
    expect(JSON.parse(told.data)).toEqual([{ nodeId: "review", approved: false, by: "fin2", comment: "not this month", at: decision.at }]);
    // Nothing took it: the run still waits, and its stream has no event of it.
    expect((await engine.describe("s-1")).status).toBe("running");
    expect(run.seen.some((e) => e.event === "message" && JSON.parse(e.data).type === "SignalReceived")).toBe(false);
    runStop.abort();

    // ops (no finance) was told of an empty list once, and of nothing since.
    expect(ops.lists().map((l) => l.list)).toEqual([[]]);
  } finally {
    stop.abort();
  }
  // The client went: its stream ends.
  await inbox.reading;
  expect(inbox.ended).toBe(true);
});
