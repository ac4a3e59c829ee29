// When the designer does what the first drawing of the canvas and a first click need not wait
// for (loading the editors, drawing the mini map): in an idle moment a while after the canvas is
// drawn, or a while after the page opens at the latest.

/** After the canvas is first drawn: the second in which a person starts to act on it. */
export const AFTER_DRAWN_MS = 1000;
/** After the page opens, whether or not the canvas was drawn (an empty one never is). */
export const AT_THE_LATEST_MS = 4000;

/** Calls `fn` in the first idle moment `delayMs` from now; returns what cancels it. */
export function whenIdle(fn: () => void, delayMs: number): () => void {
  let idle: number | undefined;
  const timer = setTimeout(() => {
    if (typeof requestIdleCallback === "function") idle = requestIdleCallback(fn, { timeout: 2000 });
    else fn();
  }, delayMs);
  return () => {
    clearTimeout(timer);
    if (idle !== undefined) cancelIdleCallback(idle);
  };
}

/** Calls `fn` after the next frame is painted. */
export function afterPaint(fn: () => void): void {
  requestAnimationFrame(() => setTimeout(fn, 0));
}
