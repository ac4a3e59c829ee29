// Server-sent events over the engine's watches, with a comment every 15 s so that proxies and
// browsers keep the connection, and the watch stopped when the client goes away.
// - A run's history (eventStream): one `id:`/`data:` pair per history event, a `votes` event
//   (no id: it is no history event) when an approval toward a quorum does not yet complete it,
//   and a `decision` event when a decision is accepted that the run has not taken yet.
// - The caller's approvals (approvalsStream): `data:` the whole list, as GET /api/approvals
//   answers it, at once and after each change (a decision accepted by anyone, a new wait, a run
//   closed). The list is small, and whole it needs no merging: a reconnect just gets it again.

import type { Caller } from "../auth.ts";
import { weft } from "../weft.ts";

const HEARTBEAT_MS = 15_000;

type Send = (text: string) => void;

/** An event stream response whose body `follow` writes, until it returns or the client goes. */
function sseResponse(requestSignal: AbortSignal, what: string, follow: (send: Send, signal: AbortSignal) => Promise<void>): Response {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  requestSignal.addEventListener("abort", onAbort);
  const encoder = new TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!stop.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
      send("retry: 1000\n\n");
      try {
        await follow(send, stop.signal);
      } catch (err) {
        if (!stop.signal.aborted) console.error(`weft: the event stream of ${what} failed:`, err);
      } finally {
        clearInterval(heartbeat);
        requestSignal.removeEventListener("abort", onAbort);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      }
    },
    cancel() {
      clearInterval(heartbeat);
      stop.abort();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    },
  });
}

export async function eventStream(workflowId: string, lastEventId: number | undefined, requestSignal: AbortSignal): Promise<Response> {
  await weft().describe(workflowId); // 404 before the stream opens, not inside it
  return sseResponse(requestSignal, workflowId, async (send, signal) => {
    const onVotes = (votes: { nodeId: string; by: string; at: string }[]) => send(`event: votes\ndata: ${JSON.stringify(votes)}\n\n`);
    const onDecisions = (decisions: unknown[]) => send(`event: decision\ndata: ${JSON.stringify(decisions)}\n\n`);
    for await (const { id, event } of weft().watch(workflowId, { lastEventId, signal, onVotes, onDecisions })) {
      send(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  });
}

/** The approvals `caller` may decide, now and after each change, until the client goes. */
export function approvalsStream(caller: Caller, requestSignal: AbortSignal): Response {
  const facade = weft(); // 503 before the stream opens when the engine is not running here
  return sseResponse(requestSignal, `${caller.name}'s approvals`, async (send, signal) => {
    for await (const approvals of facade.watchApprovals(caller, { signal })) send(`data: ${JSON.stringify(approvals)}\n\n`);
  });
}
