"use client";
// Keeps a run's page live: follows the run's event stream from the last event the page has,
// hands each event to the run's view at once (live-events.ts), and asks the server for the page
// again for what the history does not say (the run's status, the worker of an attempt, the
// actions that apply, an approval's votes toward a quorum): at once when the run ends, else
// paced by refresh-pacing.ts, so that a run writing hundreds of events a second does not have
// its page sent again and drawn whole for each. A vote that does not complete a quorum, and a
// decision accepted that no worker has taken yet, are no events: the stream says so apart
// (`votes`, `decision`), and the page is asked for again. The stream ends
// with the run; so does this.
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import type { EventJson } from "../../engine/views.ts";
import { CLOSING_EVENTS } from "../lib/present.ts";
import { publish } from "./live-events.ts";
import { refreshDelay } from "./refresh-pacing.ts";

export function LiveRun({ workflowId, lastEventId }: { workflowId: string; lastEventId: number }) {
  const router = useRouter();
  const seen = useRef(lastEventId);
  seen.current = Math.max(seen.current, lastEventId);

  useEffect(() => {
    const source = new EventSource(`/api/runs/${encodeURIComponent(workflowId)}/stream?after=${seen.current}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** When the first event not yet followed by a refresh came. */
    let unrefreshedSince: number | undefined;
    const refreshIn = (ms: number) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        unrefreshedSince = undefined;
        router.refresh();
      }, ms);
    };
    const refreshWhenQuiet = () => {
      const now = Date.now();
      unrefreshedSince ??= now;
      refreshIn(refreshDelay(now, unrefreshedSince));
    };
    // Events are handed on once a frame, however many came in it.
    let batch: EventJson[] = [];
    let frame: number | undefined;
    const flush = () => {
      frame = undefined;
      const events = batch;
      batch = [];
      publish(workflowId, events);
    };
    source.onmessage = (message) => {
      const id = Number(message.lastEventId);
      let event: EventJson | undefined;
      try {
        event = JSON.parse(message.data) as EventJson;
      } catch {
        event = undefined;
      }
      if (event !== undefined && CLOSING_EVENTS.has(event.type)) {
        source.close();
        refreshIn(100);
      } else if (!Number.isFinite(id) || id > seen.current) {
        refreshWhenQuiet();
      } else {
        return;
      }
      if (Number.isFinite(id)) seen.current = Math.max(seen.current, id);
      // An event of a later run of a continue-as-new chain is numbered on from the chain's
      // start, not as the page's history numbers it: that one the server's page brings.
      if (event !== undefined && event.seq === id) {
        batch.push(event);
        frame ??= requestAnimationFrame(flush);
      }
    };
    // A vote toward a quorum, or a decision accepted and not yet taken, appends no event.
    source.addEventListener("votes", () => refreshIn(100));
    source.addEventListener("decision", () => refreshIn(100));
    // A stream refused for good (signed out, say): look again every few seconds instead.
    let poll: ReturnType<typeof setInterval> | undefined;
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && poll === undefined) poll = setInterval(() => router.refresh(), 5000);
    };
    return () => {
      source.close();
      if (timer !== undefined) clearTimeout(timer);
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (poll !== undefined) clearInterval(poll);
    };
  }, [workflowId, router]);
  return null;
}
