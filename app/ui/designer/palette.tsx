"use client";
// The palette: every node kind of the document, then every activity a worker registered, by
// title and searchable. A button adds its node after the selected one (connected from its first
// free handle) or in the middle of the view; dragging it onto the canvas drops it there.

import { useId, useState, type DragEvent } from "react";
import type { ActivityInfo } from "../../../engine/views.ts";
import { KIND_LIST, NODE_KINDS } from "../../../designer/catalogue.ts";
import type { NodeType } from "../../../compiler/document.ts";
import { KindIcon } from "./icons.tsx";

export const DRAG_TYPE = "application/x-weft-node";

export interface PaletteItem {
  type: NodeType;
  activity?: string;
  label?: string;
}

export function Palette({ activities, disabled, onAdd }: { activities: readonly ActivityInfo[]; disabled: boolean; onAdd: (item: PaletteItem) => void }) {
  const [query, setQuery] = useState("");
  const searchId = useId();
  const q = query.trim().toLowerCase();
  const kinds = KIND_LIST.filter((k) => k.inPalette && (!q || k.title.toLowerCase().includes(q)));
  const shown = activities.filter((a) => !q || a.title.toLowerCase().includes(q) || a.name.toLowerCase().includes(q));
  const drag = (item: PaletteItem) => (event: DragEvent) => {
    event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(item));
    event.dataTransfer.effectAllowed = "copy";
  };
  return (
    <section className="dpanel palette" role="region" aria-label="Palette">
      <h2 className="dpanel-title">Palette</h2>
      <label htmlFor={searchId} className="visually-hidden">
        Search the palette
      </label>
      <input id={searchId} type="search" className="palette-search" placeholder="Search nodes and activities" value={query} onChange={(e) => setQuery(e.target.value)} />
      <ul className="palette-list" aria-label="Node kinds">
        {kinds.map((k) => (
          <li key={k.type}>
            <button type="button" className="palette-item" draggable={!disabled} disabled={disabled} onDragStart={drag({ type: k.type })} onClick={() => onAdd({ type: k.type })} title={k.description}>
              <KindIcon name={k.icon} />
              {k.title}
            </button>
          </li>
        ))}
      </ul>
      <h3 className="palette-heading">Activities</h3>
      {activities.length === 0 ? (
        <p className="hint">No worker has registered activities yet. Start one with <code>weft worker --activities MODULE</code>.</p>
      ) : shown.length === 0 ? (
        <p className="hint">Nothing matches “{query}”.</p>
      ) : (
        <ul className="palette-list" aria-label="Activities">
          {shown.map((a) => (
            <li key={a.name}>
              <button
                type="button"
                className="palette-item palette-activity"
                draggable={!disabled}
                disabled={disabled}
                onDragStart={drag({ type: "step", activity: a.name, label: a.title })}
                onClick={() => onAdd({ type: "step", activity: a.name, label: a.title })}
                title={`${NODE_KINDS.step.title} calling ${a.name}`}
              >
                <KindIcon name={NODE_KINDS.step.icon} />
                <span className="palette-activity-text">
                  {a.title}
                  <span className="palette-activity-name" aria-hidden="true">
                    {a.name}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
