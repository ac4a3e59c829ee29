// A run's history as server-sent events: `id:` is the event's seq (counted on across
// continue-as-new), so a client that reconnects with Last-Event-ID gets exactly what it
// missed; `?after=ID` does the same for a first connection. The stream ends after the run's
// closing event.
import { callerOf } from "../../../../lib/auth.ts";
import { ApiError, checkWorkflowId, route } from "../../../../lib/http.ts";
import { eventStream } from "../../../../lib/api/stream.ts";

export const dynamic = "force-dynamic";

export const GET = route(async (request: Request, { params }: { params: Promise<{ workflowId: string }> }) => {
  await callerOf(request);
  const workflowId = checkWorkflowId((await params).workflowId);
  // `after` is Last-Event-ID for a first connection, which an EventSource cannot send the header on.
  const last = request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("after");
  if (last !== null && !/^(0|[1-9][0-9]{0,14})$/.test(last.trim())) throw new ApiError("BAD_REQUEST", `Last-Event-ID (or after) must be an event id (a whole number), not "${last.slice(0, 40)}"`);
  return eventStream(workflowId, last === null ? undefined : Number(last.trim()), request.signal);
});
