// A sentence made of text and instants (see app/lib/present.ts), the instants in local time.
import type { Segment } from "../lib/present.ts";
import { LocalTime } from "./local-time.tsx";

export function Segments({ parts }: { parts: Segment[] }) {
  return (
    <>
      {parts.map((part, i) => (typeof part === "string" ? <span key={i}>{part}</span> : <LocalTime key={i} iso={part.at} />))}
    </>
  );
}
