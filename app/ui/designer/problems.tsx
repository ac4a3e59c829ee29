"use client";
// The Problems panel: one item per diagnostic, naming the node or edge by its label (or id);
// choosing one selects and focuses what it names.

import type { Problem } from "../../../designer/diagnostics.ts";

export function Problems({ problems, checking, onChoose }: { problems: readonly Problem[]; checking: boolean; onChoose: (p: Problem) => void }) {
  return (
    <section className="dpanel problems" role="region" aria-label="Problems">
      <h2 className="dpanel-title">
        Problems <span className="count">{problems.length}</span>
      </h2>
      {problems.length === 0 ? (
        <p className="hint" role="status">
          {checking ? "Checking…" : "No problems: the drawing compiles."}
        </p>
      ) : (
        <ul className="problem-list">
          {problems.map((p, i) => (
            <li key={`${p.id}-${p.field ?? ""}-${i}`}>
              <button type="button" className="problem" onClick={() => onChoose(p)}>
                <span className="problem-name">{p.name}</span>
                <span className="problem-message">
                  {p.field ? <span className="mono">{p.field}: </span> : null}
                  {p.message}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
