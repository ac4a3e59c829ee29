// Offline replay harness for Temporal workflow modules (no Temporal server needed).
//
// buildHistory() writes the event history a Temporal server would record for a run that
// schedules the given activities one after another and completes; replay() bundles a
// workflow module with Temporal's webpack bundler (once per file, cached) and replays a
// history against it with Worker.runReplayHistory. A workflow that issues different
// commands than the history records fails with DeterminismViolationError.
//
// Works in-process under vitest (pool "forks") and under tsx.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, bundleWorkflowCode, Runtime, DefaultLogger } from "@temporalio/worker";

// ---------------------------------------------------------------------------------------
// History construction (proto3 JSON form, as `temporal workflow show --output json` writes)
// ---------------------------------------------------------------------------------------

export interface ActivityStep {
  activityType: string;
  input: unknown;
  result: unknown;
}

/** A step in a history. `ActivityStep` (no `kind`) is an activity that completes. */
export type Step =
  | ActivityStep
  | ({ kind: "activity" } & ActivityStep)
  /** A `sleep` / condition timeout that fires. */
  | { kind: "timer"; duration: string | number }
  /** A signal delivered between workflow tasks (e.g. `approve`). */
  | { kind: "signal"; signalName: string; input: unknown };

export interface BuildHistoryOptions {
  workflowType: string;
  input: unknown;
  /** Shorthand for `steps` when the run only calls activities. */
  activities?: Step[];
  steps?: Step[];
  /** The workflow's return value (not compared during replay, but recorded like a real run). */
  result: unknown;
  taskQueue?: string;
  /**
   * SDK flags recorded on the first WORKFLOW_TASK_COMPLETED, as a current worker writes them.
   * Core flag 1 (IdAndTypeDeterminismChecks) is what makes replay compare activity ids and
   * types: without it Core only compares command kinds, and a renamed activity replays fine.
   * Default: core [1, 2, 3], lang [1, 2].
   */
  sdkFlags?: { core: number[]; lang: number[] };
}

export interface JsonPayload {
  metadata: Record<string, string>;
  data?: string;
}

export interface HistoryEventJson {
  eventId: string;
  eventTime: string;
  eventType: string;
  taskId: string;
  [attributes: string]: unknown;
}

export interface HistoryJson {
  events: HistoryEventJson[];
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Encode a value the way Temporal's default payload converter does (json/plain; undefined → binary/null). */
export function encodePayload(value: unknown): JsonPayload {
  if (value === undefined) return { metadata: { encoding: b64("binary/null") } };
  return { metadata: { encoding: b64("json/plain") }, data: b64(JSON.stringify(value)) };
}

const payloads = (...values: unknown[]) => ({ payloads: values.map(encodePayload) });

/** "90s", "1m", "1.5h", 2000 (ms) → proto3 JSON Duration ("90s"): protobuf rejects "1m". */
export function protoDuration(d: string | number): string {
  const ms = typeof d === "number" ? d : parseDurationMs(d);
  return `${ms / 1000}s`;
}

function parseDurationMs(d: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(d);
  if (!m) throw new TypeError(`unsupported duration ${JSON.stringify(d)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

export function buildHistory(opts: BuildHistoryOptions): HistoryJson {
  const steps = opts.steps ?? opts.activities ?? [];
  const taskQueue = { name: opts.taskQueue ?? "weft-replay", kind: "TASK_QUEUE_KIND_NORMAL" };
  const runId = "00000000-0000-4000-8000-000000000001";
  const t0 = Date.parse("2025-01-01T00:00:00.000Z");
  const events: HistoryEventJson[] = [];

  const add = (type: string, attributes: Record<string, unknown>): number => {
    const id = events.length + 1;
    const attrKey = type.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) + "EventAttributes";
    events.push({
      eventId: String(id),
      eventTime: new Date(t0 + id * 10).toISOString(),
      eventType: `EVENT_TYPE_${type}`,
      taskId: String(1048576 + id),
      [attrKey]: attributes,
    });
    return id;
  };

  const flags = opts.sdkFlags ?? { core: [1, 2, 3], lang: [1, 2] };
  let firstTask = true;

  /** WORKFLOW_TASK_SCHEDULED / STARTED / COMPLETED; returns the COMPLETED event id. */
  const workflowTask = (): number => {
    const scheduled = add("WORKFLOW_TASK_SCHEDULED", { taskQueue, startToCloseTimeout: "10s", attempt: 1 });
    const started = add("WORKFLOW_TASK_STARTED", {
      scheduledEventId: String(scheduled),
      identity: "weft-replay",
      requestId: `request-${scheduled}`,
    });
    const sdkMetadata = firstTask ? { coreUsedFlags: flags.core, langUsedFlags: flags.lang } : undefined;
    firstTask = false;
    return add("WORKFLOW_TASK_COMPLETED", {
      scheduledEventId: String(scheduled),
      startedEventId: String(started),
      identity: "weft-replay",
      ...(sdkMetadata ? { sdkMetadata } : {}),
    });
  };

  add("WORKFLOW_EXECUTION_STARTED", {
    workflowType: { name: opts.workflowType },
    taskQueue,
    input: payloads(opts.input),
    workflowTaskTimeout: "10s",
    originalExecutionRunId: runId,
    firstExecutionRunId: runId,
    identity: "weft-replay",
    attempt: 1,
    header: { fields: {} },
    workflowId: "weft-replay",
  });
  let completedTask = workflowTask();

  // Sequence numbers the TypeScript SDK assigns per command kind: activityId / timerId = seq.
  let activitySeq = 0;
  let timerSeq = 0;
  for (const step of steps) {
    const kind = "kind" in step ? step.kind : "activity";
    if (kind === "activity") {
      const a = step as ActivityStep;
      activitySeq++;
      const scheduled = add("ACTIVITY_TASK_SCHEDULED", {
        activityId: String(activitySeq),
        activityType: { name: a.activityType },
        taskQueue,
        header: { fields: {} },
        input: payloads(a.input),
        startToCloseTimeout: "10s",
        workflowTaskCompletedEventId: String(completedTask),
      });
      const started = add("ACTIVITY_TASK_STARTED", {
        scheduledEventId: String(scheduled),
        identity: "weft-replay",
        requestId: `activity-${scheduled}`,
        attempt: 1,
      });
      add("ACTIVITY_TASK_COMPLETED", {
        result: payloads(a.result),
        scheduledEventId: String(scheduled),
        startedEventId: String(started),
        identity: "weft-replay",
      });
    } else if (kind === "timer") {
      const t = step as { duration: string | number };
      timerSeq++;
      const started = add("TIMER_STARTED", {
        timerId: String(timerSeq),
        startToFireTimeout: protoDuration(t.duration),
        workflowTaskCompletedEventId: String(completedTask),
      });
      add("TIMER_FIRED", { timerId: String(timerSeq), startedEventId: String(started) });
    } else {
      const s = step as { signalName: string; input: unknown };
      add("WORKFLOW_EXECUTION_SIGNALED", {
        signalName: s.signalName,
        input: payloads(s.input),
        identity: "weft-replay",
        header: { fields: {} },
      });
    }
    completedTask = workflowTask();
  }

  add("WORKFLOW_EXECUTION_COMPLETED", {
    result: payloads(opts.result),
    workflowTaskCompletedEventId: String(completedTask),
  });
  return { events };
}

// ---------------------------------------------------------------------------------------
// Bundling and replay
// ---------------------------------------------------------------------------------------

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// A quiet runtime: by default the SDK logs every worker start/stop and each failed replay task.
let runtimeInstalled = false;
function installQuietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    // Core logs each failed replay task at WARN; the error returned by replay() carries it.
    Runtime.install({
      logger: new DefaultLogger("ERROR"),
      telemetryOptions: { logging: { filter: { core: "ERROR", other: "ERROR" }, forward: {} } },
    });
  } catch {
    // Already installed by someone else in this process: keep theirs.
  }
}

const quietBundlerLogger = new DefaultLogger("ERROR");
const bundles = new Map<string, Promise<{ code: string }>>();

/** Bundle a workflow module once per file (cached for the process). */
export function bundle(workflowFile: string): Promise<{ code: string }> {
  const file = path.resolve(workflowFile);
  let b = bundles.get(file);
  if (!b) {
    b = bundleWorkflowCode({
      workflowsPath: file,
      logger: quietBundlerLogger,
      // Let modules outside the project (e.g. generated into os.tmpdir()) resolve
      // @temporalio/workflow from this project's node_modules.
      webpackConfigHook: (config) => {
        const modules = config.resolve?.modules ?? ["node_modules"];
        return {
          ...config,
          resolve: { ...config.resolve, modules: [...modules, path.join(projectRoot, "node_modules")] },
        };
      },
    }).then(({ code }) => ({ code }));
    bundles.set(file, b);
    b.catch(() => bundles.delete(file));
  }
  return b;
}

export type ReplayResult = { ok: true } | { ok: false; errorName: string; message: string };

function toResult(err: unknown): ReplayResult {
  if (err === undefined || err === null) return { ok: true };
  const e = err as { name?: string; message?: string; constructor?: { name?: string } };
  return {
    ok: false,
    errorName: e.name && e.name !== "Error" ? e.name : (e.constructor?.name ?? "Error"),
    message: e.message ?? String(err),
  };
}

/**
 * Replay one history against the workflow module at `workflowFile`. `workflowType` must
 * be the name of an exported workflow function and match the history's workflowType.
 */
export async function replay(workflowFile: string, workflowType: string, history: HistoryJson): Promise<ReplayResult> {
  const first = history.events[0] as { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } };
  const recorded = first?.workflowExecutionStartedEventAttributes?.workflowType?.name;
  if (recorded !== workflowType) {
    return { ok: false, errorName: "HarnessError", message: `history is for workflow type ${recorded}, not ${workflowType}` };
  }
  installQuietRuntime();
  let code: string;
  try {
    ({ code } = await bundle(workflowFile));
  } catch (err) {
    return { ...(toResult(err) as { ok: false; errorName: string; message: string }), errorName: "BundleError" };
  }
  try {
    await Worker.runReplayHistory({ workflowBundle: { code }, replayName: "weft" }, history);
    return { ok: true };
  } catch (err) {
    return toResult(err);
  }
}

/** Replay several histories against one worker (one bundle, one worker start-up). */
export async function replayMany(workflowFile: string, histories: HistoryJson[]): Promise<ReplayResult[]> {
  installQuietRuntime();
  const { code } = await bundle(workflowFile);
  const results: ReplayResult[] = [];
  const iterable = histories.map((history, i) => ({ history, workflowId: `weft-replay-${i}` }));
  for await (const r of Worker.runReplayHistories({ workflowBundle: { code }, replayName: "weft" }, iterable)) {
    results.push(toResult(r.error));
  }
  return results;
}
