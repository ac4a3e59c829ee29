"use client";
// An instant in the reader's own time zone. The server does not know that zone, so the first
// render (on the server, and the browser's hydration of it) shows UTC, written out by hand so
// both sides agree to the character; after mounting, the browser writes it in local time.

import { useMemo, useSyncExternalStore } from "react";

export type TimeStyle = "datetime" | "time";

function utcText(iso: string, style: TimeStyle): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(iso);
  if (!m) return iso;
  return style === "time" ? `${m[2]}${m[3] ?? ""} UTC` : `${m[1]} ${m[2]} UTC`;
}

// Formatters made once (a live history mounts rows by the hundred, and toLocaleTimeString with
// options makes a formatter on each call): the browser's locale, as toLocale*String(undefined) takes it.
let formats: { time: Intl.DateTimeFormat; hm: Intl.DateTimeFormat; day: Intl.DateTimeFormat; dayYear: Intl.DateTimeFormat; full: Intl.DateTimeFormat } | undefined;
function formatsOf() {
  return (formats ??= {
    time: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
    hm: new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }),
    day: new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" }),
    dayYear: new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" }),
    full: new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" }),
  });
}

function localText(date: Date, style: TimeStyle, now: Date): string {
  const f = formatsOf();
  if (style === "time") return f.time.format(date);
  const time = f.hm.format(date);
  if (date.toDateString() === now.toDateString()) return `today ${time}`;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (date.toDateString() === yesterday.toDateString()) return `yesterday ${time}`;
  const day = (date.getFullYear() === now.getFullYear() ? f.day : f.dayYear).format(date);
  return `${day}, ${time}`;
}

function local(iso: string, style: TimeStyle): { text: string; title: string } | undefined {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  return { text: localText(date, style, new Date()), title: formatsOf().full.format(date) };
}

const never = () => () => {};

export function LocalTime({ iso, style = "datetime" }: { iso: string; style?: TimeStyle }) {
  // False while the server's HTML is hydrated (UTC, as the server wrote it), true after and for a
  // time drawn later (a row of a live history), which is local from its first render.
  const inBrowser = useSyncExternalStore(never, () => true, () => false);
  const l = useMemo(() => (inBrowser ? local(iso, style) : undefined), [inBrowser, iso, style]);
  return (
    <time dateTime={iso} title={l?.title ?? iso}>
      {l?.text ?? utcText(iso, style)}
    </time>
  );
}
