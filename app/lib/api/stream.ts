// Server-sent events over the engine's watch: one `id:`/`data:` pair per history event, a
// `votes` event (no id: it is no history event) when an approval toward a quorum does not yet
// complete it, a comment every 15 s so that proxies and browsers keep the connection, and the
// watch stopped when the client goes away.

import { weft } from "../weft.ts";

const HEARTBEAT_MS = 15_000;

export async function eventStream(workflowId: string, lastEventId: number | undefined, requestSignal: AbortSignal): Promise<Response> {
  await weft().describe(workflowId); // 404 before the stream opens, not inside it
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
        const onVotes = (votes: { nodeId: string; by: string; at: string }[]) => send(`event: votes\ndata: ${JSON.stringify(votes)}\n\n`);
        for await (const { id, event } of weft().watch(workflowId, { lastEventId, signal: stop.signal, onVotes })) {
          send(`id: ${id}\ndata: ${JSON.stringify(event)}\n\n`);
        }
      } catch (err) {
        if (!stop.signal.aborted) console.error(`weft: the event stream of ${workflowId} failed:`, err);
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
