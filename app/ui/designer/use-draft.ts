"use client";
// The draft is saved as you edit: a moment after the last change, with the etag it was loaded
// (or last saved) with as If-Match, so that a change made elsewhere since (a second tab, a
// colleague) is a conflict the person decides (reload theirs, or overwrite with mine) rather
// than a silent loss. Leaving the page sends what is not saved yet.

import { useCallback, useEffect, useRef, useState } from "react";
import type { WorkflowDocument } from "../../../compiler/document.ts";

export type SaveState = "saved" | "unsaved" | "saving" | "conflict" | "error";

const DELAY_MS = 600;

export function useDraftSaver(name: string, doc: WorkflowDocument, initialEtag: string, enabled: boolean, onReloaded: (doc: WorkflowDocument) => void) {
  const etag = useRef(initialEtag);
  const saved = useRef<WorkflowDocument>(doc);
  const latest = useRef(doc);
  latest.current = doc;
  const inFlight = useRef<Promise<void> | null>(null);
  const [state, setState] = useState<SaveState>("saved");
  const conflicted = useRef(false);
  const url = `/api/workflows/${encodeURIComponent(name)}`;

  const put = useCallback(
    async (force: boolean): Promise<void> => {
      const body = latest.current;
      setState("saving");
      let response: Response;
      try {
        response = await fetch(url, {
          method: "PUT",
          headers: { "Content-Type": "application/json", Accept: "application/json", ...(force ? {} : { "If-Match": etag.current }) },
          body: JSON.stringify(body),
          credentials: "same-origin",
          cache: "no-store",
        });
      } catch {
        setState("error");
        return;
      }
      if (response.status === 409) {
        conflicted.current = true;
        setState("conflict");
        return;
      }
      if (!response.ok) {
        setState("error");
        return;
      }
      etag.current = response.headers.get("ETag") ?? etag.current;
      saved.current = body;
      conflicted.current = false;
      setState(latest.current === body ? "saved" : "unsaved");
      // Edited (or undone) while this save was under way: that goes next.
      if (latest.current !== body) setTimeout(() => void saveRef.current(), DELAY_MS);
    },
    [url],
  );

  const saveRef = useRef<(force?: boolean) => Promise<void>>(async () => undefined);
  const save = useCallback(
    (force = false): Promise<void> => {
      const run = async () => {
        if (inFlight.current) await inFlight.current;
        if (conflicted.current && !force) return;
        if (!force && latest.current === saved.current) {
          setState("saved");
          return;
        }
        await put(force);
      };
      const p = run().finally(() => {
        if (inFlight.current === p) inFlight.current = null;
      });
      inFlight.current = p;
      return p;
    },
    [put],
  );
  saveRef.current = save;

  useEffect(() => {
    if (!enabled || conflicted.current) return;
    // Back to what is saved (an undo): nothing to send, unless a save is under way.
    if (doc === saved.current && !inFlight.current) {
      setState("saved");
      return;
    }
    setState("unsaved");
    const timer = setTimeout(() => void save(), DELAY_MS);
    return () => clearTimeout(timer);
  }, [doc, enabled, save]);

  // Closing or reloading the tab: what is not saved yet goes now.
  useEffect(() => {
    if (!enabled) return;
    const onHide = () => {
      if (latest.current === saved.current || conflicted.current) return;
      void fetch(url, { method: "PUT", keepalive: true, headers: { "Content-Type": "application/json", "If-Match": etag.current }, body: JSON.stringify(latest.current), credentials: "same-origin" });
    };
    window.addEventListener("pagehide", onHide);
    return () => window.removeEventListener("pagehide", onHide);
  }, [enabled, url]);

  const reload = useCallback(async () => {
    const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" });
    if (!response.ok) {
      setState("error");
      return;
    }
    const { document } = (await response.json()) as { document: WorkflowDocument };
    etag.current = response.headers.get("ETag") ?? etag.current;
    saved.current = document;
    latest.current = document;
    conflicted.current = false;
    setState("saved");
    onReloaded(document);
  }, [url, onReloaded]);

  const overwrite = useCallback(async () => {
    conflicted.current = false;
    await save(true);
  }, [save]);

  /** Takes a draft saved elsewhere (a version restored as the draft) with its etag, as saved. */
  const adopt = useCallback((document: WorkflowDocument, newEtag: string) => {
    etag.current = newEtag;
    saved.current = document;
    latest.current = document;
    conflicted.current = false;
    setState("saved");
  }, []);

  /** Saves now what is not saved yet (before a deploy); false when it could not be saved. */
  const flush = useCallback(async (): Promise<boolean> => {
    if (!enabled) return true;
    await save();
    return !conflicted.current && latest.current === saved.current;
  }, [enabled, save]);

  return { state, conflict: state === "conflict", reload, overwrite, flush, adopt };
}
