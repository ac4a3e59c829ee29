"use client";
// The code view: the generated module beside the drawing, for either target. The selected
// node's blocks are highlighted and scrolled to; a click in a block selects its node.

import { useEffect, useMemo, useRef } from "react";
import { nodeAtLine, type LineRange } from "../../../compiler/node-lines.ts";
import type { Target } from "./compile-types.ts";

export interface CodeViewProps {
  code: string | undefined;
  lines: ReadonlyMap<string, readonly LineRange[]>;
  target: Target;
  onTarget: (t: Target) => void;
  /** Shown above the code when it is not the drawing's (the drawing has problems). */
  stale?: string;
  selected: string | undefined;
  onSelect: (nodeId: string) => void;
  onDownload: () => void;
}

export function CodeView({ code, lines, target, onTarget, stale, selected, onSelect, onDownload }: CodeViewProps) {
  const pre = useRef<HTMLPreElement>(null);
  const text = useMemo(() => (code ?? "").replace(/\n$/, "").split("\n"), [code]);
  const marked = useMemo(() => {
    const set = new Set<number>();
    for (const r of (selected && lines.get(selected)) || []) for (let l = r.start; l <= r.end; l++) set.add(l);
    return set;
  }, [lines, selected]);

  useEffect(() => {
    const first = selected ? lines.get(selected)?.[0] : undefined;
    if (!first || !pre.current) return;
    const line = pre.current.querySelector<HTMLElement>(`[data-line="${first.start}"]`);
    if (line) pre.current.scrollTop = Math.max(0, line.offsetTop - pre.current.clientHeight / 4);
  }, [selected, lines]);

  return (
    <section className="dpanel code-panel" role="region" aria-label="Code">
      <div className="dpanel-head">
        <h2 className="dpanel-title">Code</h2>
        <div className="segmented" role="radiogroup" aria-label="Target">
          {(["weft", "temporal"] as const).map((t) => (
            <button key={t} type="button" role="radio" aria-checked={target === t} className={target === t ? "is-on" : ""} onClick={() => onTarget(t)}>
              {t === "weft" ? "Weft" : "Temporal"}
            </button>
          ))}
        </div>
        <button type="button" className="button button-small" onClick={onDownload} disabled={!code}>
          Download
        </button>
      </div>
      {stale && code ? <p className="hint code-stale">{stale}</p> : null}
      {code ? (
        <pre
          ref={pre}
          className={`code code-view${stale ? " is-stale" : ""}`}
          tabIndex={0}
          aria-label={`Generated TypeScript, ${target === "weft" ? "Weft" : "Temporal"} target`}
          onClick={(event) => {
            const line = Number((event.target as HTMLElement).closest<HTMLElement>("[data-line]")?.dataset.line);
            const id = line ? nodeAtLine(lines, line) : undefined;
            if (id) onSelect(id);
          }}
        >
          <code>
            {text.map((t, i) => (
              <span key={i} data-line={i + 1} className={marked.has(i + 1) ? "code-line is-marked" : "code-line"}>
                {t}
                {"\n"}
              </span>
            ))}
          </code>
        </pre>
      ) : (
        <p className="hint">{stale ?? "Compiling…"}</p>
      )}
    </section>
  );
}
