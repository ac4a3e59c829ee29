// When a live run's page asks the server for itself again (live-run.tsx): a quarter of a second
// after events stop coming, and every 5 s while they keep coming. Each time costs a read of the
// run's history on the server and a render of the whole page in the browser, frames that the
// painting of the events themselves needs: asked once a second, a run writing 200 events a
// second had its page drop 6 to 11 frames in 5 s (npm run bench -- operate live); asked this
// way, 0 or 1.

/** The page is asked for again this long after the last event… */
export const QUIET_MS = 250;
/** …or this long after the first event it has not been asked for since, if events keep coming. */
export const BUSY_MS = 5000;

/** How long from `now` to ask, for an event that comes at `now`, the first unasked-for one having come at `since`. */
export function refreshDelay(now: number, since: number): number {
  return Math.max(0, Math.min(QUIET_MS, since + BUSY_MS - now));
}
