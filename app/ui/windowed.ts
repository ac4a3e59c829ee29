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

/**
 * `count` rows of `rowHeight` px; `stickToEnd` opens at the last row and stays there as rows
 * are added while the reader is at the end (a live history).
 */
export function useWindowed(count: number, rowHeight: number, { overscan = 12, stickToEnd = false, initial = 40 } = {}): Windowed {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: stickToEnd ? Math.max(0, count - initial) * rowHeight : 0, height: initial * rowHeight });
  const atEnd = useRef(stickToEnd);

  const measure = useCallback(() => {
    const box = ref.current;
    if (!box) return;
    atEnd.current = box.scrollTop + box.clientHeight >= box.scrollHeight - rowHeight;
    setView((v) => (v.top === box.scrollTop && v.height === box.clientHeight ? v : { top: box.scrollTop, height: box.clientHeight }));
  }, [rowHeight]);

  // At the end it stays at the end as rows come; the box's size is watched.
  useIsoLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    if (atEnd.current && stickToEnd) box.scrollTop = box.scrollHeight;
    measure();
  }, [count, measure, stickToEnd]);
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

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  return { ref, onScroll: measure, first, last, reveal };
}
