"use client";
// Keeps a run's page live: follows the run's event stream and asks the server for the page
// again when something new happened (a burst of events makes one refresh). The stream ends
// with the run; so does this.
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import { CLOSING_EVENTS } from "../lib/present.ts";

export function LiveRun({ workflowId, lastEventId }: { workflowId: string; lastEventId: number }) {
  const router = useRouter();
  const seen = useRef(lastEventId);
  seen.current = Math.max(seen.current, lastEventId);

  useEffect(() => {
    const source = new EventSource(`/api/runs/${encodeURIComponent(workflowId)}/stream`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refreshSoon = () => {
      if (timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          router.refresh();
        }, 100);
      }
    };
    source.onmessage = (message) => {
      const id = Number(message.lastEventId);
      let type: string | undefined;
      try {
        type = (JSON.parse(message.data) as { type?: string }).type;
      } catch {
        type = undefined;
      }
      if (type !== undefined && CLOSING_EVENTS.has(type)) {
        source.close();
        refreshSoon();
        return;
      }
      if (!Number.isFinite(id) || id > seen.current) {
        if (Number.isFinite(id)) seen.current = id;
        refreshSoon();
      }
    };
    // A stream refused for good (signed out, say): look again every few seconds instead.
    let poll: ReturnType<typeof setInterval> | undefined;
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && poll === undefined) poll = setInterval(() => router.refresh(), 5000);
    };
    return () => {
      source.close();
      if (timer !== undefined) clearTimeout(timer);
      if (poll !== undefined) clearInterval(poll);
    };
  }, [workflowId, router]);
  return null;
}
