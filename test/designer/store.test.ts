// The designer's document store (zustand with zundo's undo history, designer/store.ts) as the
// designer uses it: typing in one field is one step, a step back then a new edit drops what
// could be redone, a reload forgets the history, the history keeps the last 200 steps, and
// whoever watches the store hears of each change with a view that says what can be undone.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../compiler/document.ts";
import { addNode, setDocumentField, setNodeField } from "../../designer/edits.ts";
import { canRedo, canUndo, createDocumentStore, HISTORY_LIMIT, record, redo, reset, undo, viewOf, watch } from "../../designer/store.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const orderItem = JSON.parse(readFileSync(path.join(root, "examples/order-item.json"), "utf8")) as WorkflowDocument;

describe("the document store", () => {
  it("makes typing in one field one step to undo", () => {
    const start = orderItem;
    const store = createDocumentStore(start);
    const id = start.nodes[1]!.id;
    const typed = ["R", "Re", "Rev"].map((label) => setNodeField(start, id, "label", label));
    for (const d of typed) record(store, d, `field:${id}:label`);
    expect(store.getState().document).toBe(typed[2]);
    expect(store.temporal.getState().pastStates).toHaveLength(1);
    undo(store);
    expect(store.getState().document).toBe(start);
    expect(canUndo(store)).toBe(false);
    redo(store);
    expect(store.getState().document).toBe(typed[2]);
  });

  it("starts a new step on another field, on an edit without a kind, and after a step back or forward", () => {
    const start = orderItem;
    const store = createDocumentStore(start);
    const titled = setDocumentField(start, "title", "T");
    record(store, titled, "doc:title");
    const described = setDocumentField(titled, "description", "D");
    record(store, described, "doc:description");
    undo(store);
    expect(store.getState().document).toBe(titled);
    redo(store);
    // After the redo, typing in the same field again is a step of its own.
    const more = setDocumentField(described, "description", "DE");
    record(store, more, "doc:description");
    record(store, setDocumentField(more, "description", "DEF"), "doc:description");
    undo(store);
    expect(store.getState().document).toBe(described);
    undo(store);
    expect(store.getState().document).toBe(titled);

    // An edit without a kind (a drop, a connection) is a step, and so is typing after it.
    const store2 = createDocumentStore(start);
    const t1 = setDocumentField(start, "title", "A");
    record(store2, t1, "doc:title");
    const added = addNode(t1, "end", { position: { x: 0, y: 0 } }).document;
    record(store2, added);
    const t2 = setDocumentField(added, "title", "AB");
    record(store2, t2, "doc:title");
    expect(store2.temporal.getState().pastStates.map((s) => s.document)).toEqual([start, t1, added]);
  });

  it("drops what could be redone when a step back is followed by a new edit", () => {
    const start = orderItem;
    const store = createDocumentStore(start);
    const a = setDocumentField(start, "title", "A");
    const b = setDocumentField(a, "title", "B");
    record(store, a);
    record(store, b);
    undo(store);
    expect(canRedo(store)).toBe(true);
    const c = setDocumentField(a, "description", "C");
    record(store, c, "doc:description");
    expect(canRedo(store)).toBe(false);
    redo(store);
    expect(store.getState().document).toBe(c);
    undo(store);
    expect(store.getState().document).toBe(a);
    undo(store);
    expect(store.getState().document).toBe(start);
  });

  it("records nothing for an edit that changes nothing", () => {
    const store = createDocumentStore(orderItem);
    record(store, orderItem);
    record(store, orderItem, "doc:title");
    expect(canUndo(store)).toBe(false);
  });

  it(`keeps the last ${HISTORY_LIMIT} steps`, () => {
    const start = orderItem;
    const store = createDocumentStore(start);
    const made: WorkflowDocument[] = [start];
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) {
      made.push(setDocumentField(made[made.length - 1]!, "title", `t${i}`));
      record(store, made[made.length - 1]!);
    }
    expect(store.temporal.getState().pastStates).toHaveLength(HISTORY_LIMIT);
    for (let i = 0; i < HISTORY_LIMIT; i++) undo(store);
    // The oldest ten steps are gone: the first document there is to go back to is the 11th.
    expect(store.getState().document).toBe(made[10]);
    expect(canUndo(store)).toBe(false);
  });

  it("forgets the history on a reload of the saved draft", () => {
    const start = orderItem;
    const store = createDocumentStore(start);
    record(store, setDocumentField(start, "title", "mine"));
    record(store, setDocumentField(store.getState().document, "title", "mine too"), "doc:title");
    undo(store);
    const theirs = setDocumentField(start, "title", "theirs");
    reset(store, theirs);
    expect({ document: store.getState().document, undo: canUndo(store), redo: canRedo(store) }).toEqual({ document: theirs, undo: false, redo: false });
    // Typing after a reload is a step of its own, even in the field typed in before it.
    record(store, setDocumentField(theirs, "title", "x"), "doc:title");
    undo(store);
    expect(store.getState().document).toBe(theirs);
  });

  it("tells a watcher of each change, with a view that keeps its object while nothing it shows changed", () => {
    const start = orderItem;
    const store = createDocumentStore(start);
    let view = viewOf(store);
    let heard = 0;
    const stop = watch(store, () => {
      heard++;
      view = viewOf(store, view);
    });
    const a = setDocumentField(start, "title", "A");
    const after: [string, () => void, { document: WorkflowDocument; canUndo: boolean; canRedo: boolean }][] = [
      ["record", () => record(store, a), { document: a, canUndo: true, canRedo: false }],
      ["undo", () => undo(store), { document: start, canUndo: false, canRedo: true }],
      ["redo", () => redo(store), { document: a, canUndo: true, canRedo: false }],
      ["reset", () => reset(store, start), { document: start, canUndo: false, canRedo: false }],
    ];
    for (const [what, act, expected] of after) {
      const before = heard;
      act();
      expect(heard, what).toBeGreaterThan(before);
      expect(view, what).toEqual(expected);
      expect(view.document, what).toBe(expected.document);
    }
    const kept = view;
    expect(viewOf(store, kept)).toBe(kept);
    stop();
    record(store, a);
    expect(view).toBe(kept);
  });
});
