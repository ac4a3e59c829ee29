"use client";
// A long list drawn a window at a time: rows of one fixed height in a scrolling box, and only
// the rows in view (and a few either side, so Tab walks on into them) in the page. A run with
// 10,000 events has a few dozen rows of history in the DOM, not 10,000.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

export interface Windowed {
  /** The scrolling box. */
  ref: React.RefObject<HTMLDivElement | null>;
  onScroll: () => void;
  /** The rows to draw: first inclusive, last exclusive. */
  first: number;
  last: number;
  /** Scrolls row `index` into view (as little as needed). */
  reveal: (index: number) => void;
}

const useIsoLayoutEffect = typeof window === "undefined" ? useEffect : useLayoutEffect;

/** The view's top while the reader is at the end of a list that sticks to its end: wherever the end is. */
const END = -1;

/**
 * `count` rows of `rowHeight` px; `stickToEnd` opens at the last row and stays there as rows
 * are added while the reader is at the end (a live history). At the end, the rows drawn follow
 * from `count` alone, in the same render that adds them: a row that comes costs one render and
 * one layout (the scroll to the new end), not a second render after reading the box back.
 */
export function useWindowed(count: number, rowHeight: number, { overscan = 12, stickToEnd = false, initial = 40 } = {}): Windowed {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: stickToEnd ? END : 0, height: initial * rowHeight });

  const measure = useCallback(() => {
    const box = ref.current;
    if (!box) return;
    const atEnd = stickToEnd && box.scrollTop + box.clientHeight >= box.scrollHeight - rowHeight;
    const top = atEnd ? END : box.scrollTop;
    setView((v) => (v.top === top && v.height === box.clientHeight ? v : { top, height: box.clientHeight }));
  }, [rowHeight, stickToEnd]);

  // At the end it stays at the end as rows come; the box's size is watched.
  const stuck = view.top === END;
  useIsoLayoutEffect(() => {
    const box = ref.current;
    if (box && stuck) box.scrollTop = box.scrollHeight;
  }, [count, stuck]);
  useIsoLayoutEffect(measure, [measure]);
  useEffect(() => {
    const box = ref.current;
    if (!box || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    return () => observer.disconnect();
  }, [measure]);

  const reveal = useCallback(
    (index: number) => {
      const box = ref.current;
      if (!box) return;
      const top = index * rowHeight;
      if (top < box.scrollTop) box.scrollTop = top;
      else if (top + rowHeight > box.scrollTop + box.clientHeight) box.scrollTop = top + rowHeight - box.clientHeight;
      measure();
    },
    [rowHeight, measure],
  );

  const top = stuck ? Math.max(0, count * rowHeight - view.height) : view.top;
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((top + view.height) / rowHeight) + overscan);
  return { ref, onScroll: measure, first, last, reveal };
}
