// The undo history: a list of documents (what Excalidraw and the editors worth copying keep),
// the present one between the past and the future. Plain data, so that undo is a pure function.

export interface History<T> {
  past: readonly T[];
  present: T;
  future: readonly T[];
  /** The kind of the last change, when consecutive changes of one kind merge into one step. */
  mergeKey?: string;
}

export const HISTORY_LIMIT = 200;

export function createHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

/**
 * `next` becomes the present; the present goes to the past and the future is dropped. With a
 * `mergeKey` equal to the last change's (typing in one field), the change merges into that step.
 */
export function record<T>(h: History<T>, next: T, mergeKey?: string): History<T> {
  if (next === h.present) return h;
  if (mergeKey !== undefined && mergeKey === h.mergeKey && h.future.length === 0) return { ...h, present: next };
  const past = [...h.past, h.present];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, present: next, future: [], mergeKey };
}

/** The present replaced without a step of its own (a save's answer, a reload). */
export function replacePresent<T>(h: History<T>, present: T): History<T> {
  return { ...h, present, mergeKey: undefined };
}

export const canUndo = <T>(h: History<T>) => h.past.length > 0;
export const canRedo = <T>(h: History<T>) => h.future.length > 0;

export function undo<T>(h: History<T>): History<T> {
  if (!canUndo(h)) return h;
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1], future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  if (!canRedo(h)) return h;
  return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1) };
}
