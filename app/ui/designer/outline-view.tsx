"use client";
// The outline beside the canvas: the workflow as a tree of nodes and branches, each a button
// that selects (and focuses) its node on the canvas; the selected one is marked. Screen
// readers hear the drawing as nested lists, in the order a run goes.
//
// Built only while it is open: a long drawing is a list nested hundreds deep, which costs every
// edit a render of each item, and beyond 512 levels the browser's HTML parser flattens the
// server's markup so that hydration fails and React draws the whole page again.

import { useMemo, useState } from "react";
import type { WorkflowDocument } from "../../../compiler/document.ts";
import { kindOf } from "../../../designer/catalogue.ts";
import { outline, type OutlineItem } from "../../../designer/outline.ts";

export function OutlineView({ doc, selected, onSelect }: { doc: WorkflowDocument; selected: ReadonlySet<string>; onSelect: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="dpanel outline" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="dpanel-title">Outline</summary>
      {open ? <OutlineTree doc={doc} selected={selected} onSelect={onSelect} /> : null}
    </details>
  );
}

function OutlineTree({ doc, selected, onSelect }: { doc: WorkflowDocument; selected: ReadonlySet<string>; onSelect: (id: string) => void }) {
  const items = useMemo(() => outline(doc), [doc]);
  return (
    <nav aria-label="Outline">
      <Items items={items} selected={selected} onSelect={onSelect} />
    </nav>
  );
}

function Items({ items, selected, onSelect }: { items: OutlineItem[]; selected: ReadonlySet<string>; onSelect: (id: string) => void }) {
  return (
    <ul className="outline-list">
      {items.map((item, i) => (
        <li key={`${item.id}-${i}`}>
          {item.via ? <span className="outline-via">{item.via}: </span> : null}
          <button type="button" className="linkish" aria-current={selected.has(item.id) && !item.ref ? "true" : undefined} onClick={() => onSelect(item.id)}>
            {item.ref === "back" ? `back to ${item.name}` : item.ref === "join" ? `continues at ${item.name}` : item.name}
          </button>
          {!item.ref ? <span className="outline-kind"> {kindOf(item.type)?.title ?? item.type}</span> : null}
          {item.children.length ? <Items items={item.children} selected={selected} onSelect={onSelect} /> : null}
        </li>
      ))}
    </ul>
  );
}
