"use client";
// An instant in the reader's own time zone. The server does not know that zone, so the first
// render (on the server, and the browser's hydration of it) shows UTC, written out by hand so
// both sides agree to the character; after mounting, the browser writes it in local time.

import { useEffect, useState } from "react";

export type TimeStyle = "datetime" | "time";

function utcText(iso: string, style: TimeStyle): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(iso);
  if (!m) return iso;
  return style === "time" ? `${m[2]}${m[3] ?? ""} UTC` : `${m[1]} ${m[2]} UTC`;
}

function localText(date: Date, style: TimeStyle, now: Date): string {
  if (style === "time") return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === now.toDateString()) return `today ${time}`;
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (date.toDateString() === yesterday.toDateString()) return `yesterday ${time}`;
  const day = date.toLocaleDateString(undefined, { day: "numeric", month: "short", ...(date.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }) });
  return `${day}, ${time}`;
}

export function LocalTime({ iso, style = "datetime" }: { iso: string; style?: TimeStyle }) {
  const [local, setLocal] = useState<{ text: string; title: string } | undefined>(undefined);
  useEffect(() => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return;
    setLocal({ text: localText(date, style, new Date()), title: date.toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" }) });
  }, [iso, style]);
  return (
    <time dateTime={iso} title={local?.title ?? iso}>
      {local?.text ?? utcText(iso, style)}
    </time>
  );
}
