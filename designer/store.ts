// The document being drawn, in a small store with undo: zustand's vanilla store (no React
// here) and zundo's temporal middleware, which keeps the past and future documents. It tracks
// the document only: the selection, the notices and the compiler's answers live in the
// components and are not undone.
//
// Edits stay pure functions of the document (edits.ts); the store only holds their results.
// Whoever shows the document listens with `watch` and draws `viewOf(store)` when it can; an
// edit never waits for a drawing (the designer mirrors the view into React state, so that a
// write from inside React Flow's gesture handlers is drawn after them, batched, as any update).

import { temporal } from "zundo";
import { createStore } from "zustand/vanilla";
import type { WorkflowDocument } from "../compiler/document.ts";

export const HISTORY_LIMIT = 200;

export interface DocumentState {
  document: WorkflowDocument;
  /** The kind of the last change, when consecutive changes of one kind merge into one step (typing in one field). */
  mergeKey?: string;
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;

export function createDocumentStore(initial: WorkflowDocument) {
  return createStore<DocumentState>()(
    temporal(() => ({ document: initial }), {
      partialize: (s) => ({ document: s.document }),
      // A step is a new document; a set that only changes the merge key is none.
      equality: (past, current) => past.document === current.document,
      limit: HISTORY_LIMIT,
    }),
  );
}

/** Sets state without a step of its own in the history. */
function untracked(store: DocumentStore, state: Partial<DocumentState>): void {
  const history = store.temporal.getState();
  history.pause();
  try {
    store.setState(state);
  } finally {
    history.resume();
  }
}

/**
 * `next` becomes the document, the one before it a step back, and the future is dropped. With a
 * `mergeKey` equal to the last change's (and nothing undone since), it merges into that step.
 */
export function record(store: DocumentStore, next: WorkflowDocument, mergeKey?: string): void {
  const { document, mergeKey: last } = store.getState();
  if (next === document) return;
  if (mergeKey !== undefined && mergeKey === last && store.temporal.getState().futureStates.length === 0) {
    untracked(store, { document: next });
    return;
  }
  store.setState({ document: next, mergeKey });
}

/** The document replaced and the history forgotten (a reload of the saved draft). */
export function reset(store: DocumentStore, document: WorkflowDocument): void {
  untracked(store, { document, mergeKey: undefined });
  store.temporal.getState().clear();
}

export const canUndo = (store: DocumentStore) => store.temporal.getState().pastStates.length > 0;
export const canRedo = (store: DocumentStore) => store.temporal.getState().futureStates.length > 0;

// After a step back or forward the next change is a step of its own, whatever its kind.
export function undo(store: DocumentStore): void {
  if (!canUndo(store)) return;
  store.temporal.getState().undo();
  untracked(store, { mergeKey: undefined });
}

export function redo(store: DocumentStore): void {
  if (!canRedo(store)) return;
  store.temporal.getState().redo();
  untracked(store, { mergeKey: undefined });
}

/** What a view of the store draws: the document, and whether a step back or forward is there. */
export interface DocumentView {
  document: WorkflowDocument;
  canUndo: boolean;
  canRedo: boolean;
}

export function viewOf(store: DocumentStore, previous?: DocumentView): DocumentView {
  const view = { document: store.getState().document, canUndo: canUndo(store), canRedo: canRedo(store) };
  // The same view keeps its object, so that a listener that sets it changes nothing.
  return previous && previous.document === view.document && previous.canUndo === view.canUndo && previous.canRedo === view.canRedo ? previous : view;
}

/**
 * Calls `listener` after each change of the document or of its history (an undo changes the
 * document, then the history: two calls, one task). Returns the unsubscribe.
 */
export function watch(store: DocumentStore, listener: () => void): () => void {
  const stopDocument = store.subscribe(listener);
  const stopHistory = store.temporal.subscribe(listener);
  return () => {
    stopDocument();
    stopHistory();
  };
}
