// The operate benchmark (`npm run bench -- operate`): what operating runs costs an operator. It
// starts the app as `npm start` runs it (`weft dev`: engine, worker and app in one process) on a
// fresh database, seeded with SQL (as bench/api.ts does), and measures, each beside a baseline
// taken in the same run:
//
//  a. the run view of a run with 10,000 events opening (from the navigation to the page showing
//     the drawing and a scrubber over all 10,000 events) in Chromium, against the run view of a
//     10-event run (target: ≤ 1 s at p50);
//  b. where-runs-wait (GET /api/workflows/{name}/waiting, the designer's badges) for a workflow
//     with 100,000 open runs, against a workflow with 10 (target: ≤ 200 ms at p50), on SQLite
//     and PostgreSQL;
//  c. live painting: events appended to one run at 200 a second for 5 s while its run view is
//     open; the frame intervals in the page (requestAnimationFrame) and how far the painting
//     lags each appended event (the scrubber's count of events against the time the event was
//     appended), against the idle page's frames (target: no more dropped frames than the idle
//     page drops, give or take 1 % of the frames, and the painting within 250 ms of the last
//     event at p99).
//
// The browser figures find the page by role and accessible name (a slider "Position in the
// history" whose maximum is the number of events), so that they measure whatever paints the
// run. They run on SQLite (the page does the same on either database); `operate postgresql`
// or WEFT_BENCH_DB=postgresql picks the database of (b) alone.
//
// `npm run bench -- operate view live` measures those figures alone (`waits`, `view`, `live`).
//
// Environment: WEFT_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/test),
// WEFT_BENCH_DB=sqlite|postgresql, WEFT_CHROMIUM (default /usr/bin/chromium).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { Engine } from "../engine/engine.ts";
import { PING_PONG as PING } from "../test/engine/documents.ts";
import { EVENT_COLUMNS, insertRows, pingEvent, RUN_COLUMNS, seedPingHistory as seedHistory } from "../test/engine/ping-history.ts";
import { freshDatabase, get, ms, p50, percentile, signIn, sleep, startApp, stopApp, timed, type Check, type Kind } from "./app-harness.ts";

const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
const OPEN_RUNS = 100_000;
const FEW_RUNS = 10;
const BIG_HISTORY = 10_000;
const SMALL_HISTORY = 10;
const LIVE_RATE = 200;
const LIVE_MS = 5000;
const SAMPLES = 30;
const VIEW_SAMPLES = 8;

type Part = "waits" | "view" | "live";
const PARTS: Part[] = ["waits", "view", "live"];
const asked = PARTS.filter((p) => process.argv.includes(p));
const parts = new Set<Part>(asked.length > 0 ? asked : PARTS);

/** Runs wait at its approval and at its step (some of them to retry): the badges' workflow. */
const WAITS = {
  name: "bench-waits",
  title: "Where runs wait",
  nodes: [
    { id: "start", type: "start" },
    { id: "review", type: "approval", title: "Review", assignees: ["finance"] },
    { id: "transfer", type: "step", activity: "bank.transfer", input: { from: "A", to: "B", amount: 1 } },
    { id: "done", type: "end" },
  ],
  edges: [
    { id: "e1", source: "start", target: "review" },
    { id: "e2", source: "review", target: "transfer", sourceHandle: "approved" },
    { id: "e3", source: "review", target: "done", sourceHandle: "declined" },
    { id: "e4", source: "transfer", target: "done" },
  ],
};

/**
 * The open runs of where-runs-wait, written straight to the run table (the badges read no
 * history): `count` runs of `name`, nine in ten at the approval, the rest at the step, one in
 * ten of those waiting to retry.
 */
async function seedWaits(engine: Engine, name: string, count: number): Promise<void> {
  const { version, hash } = await engine.deploy({ ...WAITS, name });
  const now = Date.now();
  await engine.db.transaction(async (tx) => {
    const rows: unknown[][] = [];
    for (let i = 0; i < count; i++) {
      const runId = `${name}-run-${String(i).padStart(7, "0")}`;
      const at = now - (count - i) * 1000;
      const atStep = i % 10 === 9;
      rows.push([runId, `${name}-${i}`, name, version, hash, "running", engine.codec.encode({}), at, runId, 3, at, atStep ? "transfer" : "review", atStep ? "activity" : "approval", at, atStep && i % 100 === 99 ? 1 : 0, 2]);
    }
    await insertRows(tx, "run", RUN_COLUMNS, rows);
  });
}

function table(kind: string, rows: string[][]): void {
  const header = ["figure", "value", "baseline", "target", ""];
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
  for (const r of [header, ...rows]) console.log(`${kind.padEnd(10)}  ${r.map((c, i) => c.padEnd(widths[i])).join("  ")}`);
  console.log();
}

/** The number of events the page's scrubber spans: the run view's own count of what it painted. */
async function shownEvents(page: Page): Promise<number> {
  const slider = page.getByRole("slider", { name: "Position in the history" });
  const max = (await slider.getAttribute("aria-valuemax")) ?? (await slider.getAttribute("max"));
  return Number(max ?? NaN);
}

/** (a): from the navigation to a page that shows the drawing and scrubs `events` events. */
async function openRunView(page: Page, base: string, workflowId: string, events: number): Promise<number> {
  const t = performance.now();
  await page.goto(`${base}/runs/${workflowId}`, { waitUntil: "commit" });
  await page.getByRole("region", { name: /^Drawing/ }).first().waitFor({ timeout: 60_000 });
  const slider = page.getByRole("slider", { name: "Position in the history" });
  await slider.waitFor({ timeout: 60_000 });
  for (;;) {
    if ((await shownEvents(page)) >= events) break;
    if (performance.now() - t > 60_000) throw new Error(`the run view of ${workflowId} never showed ${events} events`);
    await sleep(5);
  }
  return performance.now() - t;
}

/**
 * Starts recording in the page: every animation frame's time, and, each frame, how many
 * events the scrubber spans (found by its accessible name, as the page may re-render it).
 */
async function record(page: Page): Promise<void> {
  // A string, not a function: the TypeScript runner's helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
    const bench = { frames: [], shown: [], stop: false };
    window.__bench = bench;
    const slider = () => document.querySelector('[aria-label="Position in the history"]');
    let last = -1;
    const tick = (t) => {
      if (bench.stop) return;
      bench.frames.push(t);
      const el = slider();
      const n = Number(el?.getAttribute("aria-valuemax") ?? el?.max ?? NaN);
      if (n !== last) {
        last = n;
        bench.shown.push([Date.now(), n]);
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

async function stopRecording(page: Page): Promise<{ intervals: number[]; shown: [number, number][] }> {
  return page.evaluate(`(() => {
    const bench = window.__bench;
    bench.stop = true;
    const f = bench.frames;
    return { intervals: f.slice(1).map((t, i) => t - f[i]), shown: bench.shown };
  })()`);
}

/** Frames that took longer than two frames' time of the idle page: at least one frame dropped. */
const dropped = (intervals: number[], frame: number) => intervals.filter((i) => i > 2 * frame).length;

async function browserFigures(app: { base: string; password: string }, url: string, runs: { small: string; big: string; live: string; liveRunId: string }): Promise<{ rows: string[][]; checks: Check[] }> {
  const rows: string[][] = [];
  const checks: Check[] = [];
  const row = (figure: string, value: string, baseline: string, target: string, pass: boolean | undefined) => {
    rows.push([figure, value, baseline, target, pass === undefined ? "" : pass ? "PASS" : "MISS"]);
    console.log(`  ${figure}: ${value} (baseline ${baseline}; target ${target})`);
    if (pass !== undefined) checks.push({ name: `sqlite ${figure}`, pass, detail: `${value} (baseline ${baseline}; target ${target})` });
  };
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-sync"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "en-GB" });
    const cookie = await signIn(app.base, "ops", app.password);
    const [name, value] = cookie.split("=");
    await context.addCookies([{ name, value, url: app.base }]);
    const page = await context.newPage();

    // (a) Opening the run view: a warm-up of each, then samples in turn.
    if (parts.has("view")) {
      await openRunView(page, app.base, runs.small, SMALL_HISTORY);
      await openRunView(page, app.base, runs.big, BIG_HISTORY);
      const small: number[] = [];
      const big: number[] = [];
      for (let i = 0; i < VIEW_SAMPLES; i++) {
        small.push(await openRunView(page, app.base, runs.small, SMALL_HISTORY));
        big.push(await openRunView(page, app.base, runs.big, BIG_HISTORY));
      }
      row(`run view of a ${BIG_HISTORY.toLocaleString("en-US")}-event run opens, p50`, ms(p50(big)), `${SMALL_HISTORY}-event run ${ms(p50(small))} (ratio ${(p50(big) / p50(small)).toFixed(1)})`, "≤ 1 s", p50(big) <= 1000);
      row(`run view of a ${BIG_HISTORY.toLocaleString("en-US")}-event run opens, max`, ms(Math.max(...big)), `${SMALL_HISTORY}-event run ${ms(Math.max(...small))}`, "(context)", undefined);
    }
    if (!parts.has("live")) {
      await context.close();
      return { rows, checks };
    }

    // (c) Live painting: the idle page's frames, then the same page while events arrive.
    await openRunView(page, app.base, runs.live, 2);
    await sleep(500);
    await record(page);
    await sleep(LIVE_MS);
    const idle = await stopRecording(page);
    const frame = p50(idle.intervals);

    const engine = await Engine.open({ url });
    const appended: [number, number][] = [];
    try {
      const first = (await shownEvents(page)) + 1;
      let seq = first;
      await record(page);
      const t0 = Date.now();
      // Appended as a run's steps are: a commit of history rows and the run's next seq. Each
      // tick catches up with the rate, so a slow commit is followed by a larger one.
      while (Date.now() - t0 < LIVE_MS) {
        const due = first + Math.floor(((Date.now() - t0) / 1000) * LIVE_RATE);
        const from = seq;
        const batch: unknown[][] = [];
        for (; seq < due && batch.length < 50; seq++) batch.push(pingEvent(engine, runs.liveRunId, seq, Date.now()));
        if (batch.length > 0) {
          await engine.db.transaction(async (tx) => {
            await tx.execute(`INSERT INTO history_event (${EVENT_COLUMNS.join(", ")}) VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`, batch.flat() as never);
            await tx.execute("UPDATE run SET next_seq = ?, updated_at = ? WHERE run_id = ?", [seq, Date.now(), runs.liveRunId]);
          });
          const at = Date.now();
          for (let s = from; s < seq; s++) appended.push([s, at]);
        }
        await sleep(4);
      }
      // The painting catches up (or the figure says how far behind it stayed).
      const until = Date.now() + 20_000;
      while ((await shownEvents(page)) < seq - 1 && Date.now() < until) await sleep(50);
      await sleep(200);
    } finally {
      await engine.close();
    }
    const live = await stopRecording(page);
    const lags = appended.map(([s, at]) => {
      const seen = live.shown.find(([, n]) => n >= s);
      return seen ? Math.max(0, seen[0] - at) : Infinity;
    });
    const rate = appended.length / (LIVE_MS / 1000);
    const idleDropped = dropped(idle.intervals, frame);
    const liveDropped = dropped(live.intervals, frame);
    const allowance = Math.ceil(live.intervals.length / 100);
    row(
      `live painting at ${rate.toFixed(0)} events/s: frames dropped`,
      `${liveDropped} of ${live.intervals.length} (p99 frame ${ms(percentile(live.intervals, 99))}, max ${ms(Math.max(...live.intervals))})`,
      `idle page ${idleDropped} of ${idle.intervals.length} (frame ${ms(frame)}, p99 ${ms(percentile(idle.intervals, 99))})`,
      `≤ idle + 1 % (${idleDropped + allowance})`,
      liveDropped <= idleDropped + allowance,
    );
    const lagP99 = percentile(lags, 99);
    row(`live painting: lag behind the appended event, p50 / p99 (${appended.length} events)`, `${ms(p50(lags))} / ${lagP99 === Infinity ? "never shown" : ms(lagP99)}`, `frame ${ms(frame)}`, "p99 ≤ 250 ms", lagP99 <= 250);
    await context.close();
  } finally {
    await browser.close();
  }
  return { rows, checks };
}

async function benchKind(kind: Kind, dir: string, withBrowser: boolean): Promise<Check[]> {
  const checks: Check[] = [];
  const rows: string[][] = [];
  const row = (figure: string, value: string, baseline: string, target: string, pass: boolean | undefined) => {
    rows.push([figure, value, baseline, target, pass === undefined ? "" : pass ? "PASS" : "MISS"]);
    console.log(`  ${figure}: ${value} (baseline ${baseline}; target ${target})`);
    if (pass !== undefined) checks.push({ name: `${kind} ${figure}`, pass, detail: `${value} (baseline ${baseline}; target ${target})` });
  };

  const db = freshDatabase(kind, dir, "operate");
  const runs = { small: "bench-ping-10", big: "bench-ping-10k", live: "bench-ping-live", liveRunId: "" };
  const seeding = performance.now();
  {
    const engine = await Engine.open({ url: db.url });
    try {
      if (parts.has("waits")) {
        await seedWaits(engine, "bench-waits", OPEN_RUNS);
        await seedWaits(engine, "bench-waits-few", FEW_RUNS);
      }
      if (withBrowser) {
        const { version, hash } = await engine.deploy(PING);
        await seedHistory(engine, runs.small, SMALL_HISTORY, version, hash);
        await seedHistory(engine, runs.big, BIG_HISTORY, version, hash);
        runs.liveRunId = await seedHistory(engine, runs.live, 2, version, hash);
      }
      await engine.db.execute("ANALYZE");
    } finally {
      await engine.close();
    }
  }
  console.log(`${kind}: seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  // The first start builds the app: minutes on a loaded machine.
  const app = await startApp(db.url, dir, 900_000);
  try {
    const ops = await signIn(app.base, "ops", app.password);
    // (b) Where runs wait, over HTTP.
    if (parts.has("waits")) {
      const many: number[] = [];
      const few: number[] = [];
      let answer: { nodeId: string; runs: number }[] = [];
      for (let i = 0; i < 3; i++) await get(app.base, "/api/workflows/bench-waits/waiting", ops);
      for (let i = 0; i < SAMPLES; i++) {
        few.push(await timed(() => get(app.base, "/api/workflows/bench-waits-few/waiting", ops)));
        many.push(await timed(async () => (answer = (await get(app.base, "/api/workflows/bench-waits/waiting", ops)) as typeof answer)));
      }
      const counted = answer.reduce((n, w) => n + w.runs, 0);
      if (counted !== OPEN_RUNS) throw new Error(`where-runs-wait counted ${counted} runs, not ${OPEN_RUNS}`);
      row(`where runs wait, ${OPEN_RUNS.toLocaleString("en-US")} open runs, p50`, ms(p50(many)), `${FEW_RUNS} open runs ${ms(p50(few))} (ratio ${(p50(many) / p50(few)).toFixed(1)})`, "≤ 200 ms", p50(many) <= 200);
      row(`where runs wait, ${OPEN_RUNS.toLocaleString("en-US")} open runs, p99`, ms(percentile(many, 99)), `${FEW_RUNS} open runs ${ms(percentile(few, 99))}`, "(context)", undefined);
    }
    if (withBrowser) {
      const figures = await browserFigures(app, db.url, runs);
      rows.push(...figures.rows);
      checks.push(...figures.checks);
    }
  } finally {
    await stopApp(app.proc);
    await db.drop();
  }
  table(kind, rows);
  return checks;
}

export default async function operate(): Promise<Check[]> {
  const only = process.env.WEFT_BENCH_DB ?? process.argv.find((a) => a === "sqlite" || a === "postgresql");
  const kinds: Kind[] = only ? [only as Kind] : ["sqlite", "postgresql"];
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-operate-"));
  const checks: Check[] = [];
  try {
    for (const kind of kinds) {
      const withBrowser = kind === "sqlite" && (parts.has("view") || parts.has("live"));
      if (withBrowser || parts.has("waits")) checks.push(...(await benchKind(kind, dir, withBrowser)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return checks;
}
