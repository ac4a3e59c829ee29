// Runs compiled workflow modules in `node:vm`, away from everything that would make a replay
// differ from the first execution: no `require`, no `process`, no timers, no `fetch`, no
// eval / new Function / WebAssembly, no GC-observable WeakRef / FinalizationRegistry, and a
// `Date` and `Math.random` that read the engine's deterministic source.
//
// The engine stores each version's module transpiled to CommonJS (engine/deploy.ts); this
// evaluates it in a fresh context, one per loaded version (the caller caches the result).
//
// This is a determinism boundary, not a security boundary: node:vm does not isolate hostile
// code, and the context object the engine hands to the workflow is a host object. Compiled
// modules are safe because the compiler only lets through a pure expression subset.

import vm from "node:vm";
import type { WorkflowFunction } from "./runtime/execution.ts";

/** Where the sandbox's `Date` and `Math.random` come from while workflow code runs. */
export interface DeterminismSource {
  /** Epoch milliseconds: the run's deterministic clock. */
  now(): number;
  /** A number in [0, 1) from the run's recorded, seeded sequence. */
  random(): number;
}

export interface LoadedWorkflowModule {
  readonly name: string;
  readonly hash: string;
  readonly run: WorkflowFunction;
}

let currentSource: DeterminismSource | undefined;

/**
 * Sets the source that `Date.now()`, `new Date()` and `Math.random()` read inside every
 * sandbox (the worker sets it around each activation; `undefined` clears it). With no source
 * set, those calls throw.
 */
export function setDeterminismSource(src: DeterminismSource | undefined): void {
  currentSource = src;
}

/** The source currently set, if any. */
export function getDeterminismSource(): DeterminismSource | undefined {
  return currentSource;
}

function noSource(what: string): Error {
  return new Error(
    `${what} is not available here: workflow code must read time and randomness from the engine ` +
      "(`workflow.now`, or the context's deterministic sources), so that a replay sees the same values",
  );
}

// Host-side hooks the context's Date and Math.random call. Only the bootstrap's closure holds
// them; workflow code cannot reach them through the global object.
const hooks = Object.freeze({
  now(what: string): number {
    const src = currentSource;
    if (!src) throw noSource(what);
    const value = Number(src.now());
    if (!Number.isFinite(value)) throw new Error(`the engine's clock gave ${value} for ${what}`);
    return value;
  },
  random(): number {
    const src = currentSource;
    if (!src) throw noSource("Math.random()");
    return Number(src.random());
  },
});

// Runs once in each fresh context, before the module. Replaces Date and Math.random, removes
// what is non-deterministic or blocking, and returns the module's `require`, which refuses
// everything.
const BOOTSTRAP = `(function (hooks, filename) {
  "use strict";
  const NativeDate = Date;
  const now = (what) => hooks.now(what);
  const Sandboxed = function Date(...args) {
    if (new.target === undefined) return new NativeDate(now("Date()")).toString();
    return Reflect.construct(NativeDate, args.length === 0 ? [now("new Date()")] : args, new.target);
  };
  Object.defineProperties(Sandboxed, {
    length: { value: 7, configurable: true },
    prototype: { value: NativeDate.prototype, writable: false, enumerable: false, configurable: false },
    now: { value: function now() { return hooks.now("Date.now()"); }, writable: true, configurable: true },
    parse: { value: NativeDate.parse, writable: true, configurable: true },
    UTC: { value: NativeDate.UTC, writable: true, configurable: true },
  });
  Object.defineProperty(NativeDate.prototype, "constructor", { value: Sandboxed, writable: true, configurable: true });
  Object.defineProperty(globalThis, "Date", { value: Sandboxed, writable: true, configurable: true });
  Object.defineProperty(Math, "random", {
    value: function random() { return hooks.random(); }, writable: true, configurable: true,
  });

  // Intl date formatters use the current time when given no date.
  const dtf = Intl.DateTimeFormat.prototype;
  const formatGetter = Object.getOwnPropertyDescriptor(dtf, "format").get;
  Object.defineProperty(dtf, "format", {
    configurable: true,
    get() {
      const format = formatGetter.call(this);
      return (date) => format(date === undefined ? now("Intl.DateTimeFormat#format()") : date);
    },
  });
  const formatToParts = dtf.formatToParts;
  Object.defineProperty(dtf, "formatToParts", {
    configurable: true, writable: true,
    value: function formatToParts_(date) {
      return formatToParts.call(this, date === undefined ? now("Intl.DateTimeFormat#formatToParts()") : date);
    },
  });

  // Garbage collection is not deterministic; Atomics.wait would block the worker.
  for (const name of ["WeakRef", "FinalizationRegistry", "SharedArrayBuffer", "Atomics"]) delete globalThis[name];

  const require = function require(id) {
    throw new Error(
      "workflow module " + filename + " requires " + JSON.stringify(String(id)) + " at run time, but workflow " +
      "code runs in a sandbox without modules: it may only \`import type\`, which compiles away"
    );
  };
  const module = { exports: {} };
  // For the module's loader script only; removed once it ran.
  Object.defineProperty(globalThis, "__weftLoad", { value: { module, require }, configurable: true });
  return module;
})`;

/**
 * Evaluates a compiled module (CommonJS JavaScript) in a fresh sandbox and returns its exports.
 * Throws a clear Error when the module does not load or does not look like a workflow module.
 * `timeoutMs` (default 5000) bounds the module's top level.
 */
export function loadWorkflowModule(code: string, filename: string, options: { timeoutMs?: number } = {}): LoadedWorkflowModule {
  const context = vm.createContext(
    {},
    { name: `weft workflow ${filename}`, codeGeneration: { strings: false, wasm: false } },
  );
  const bootstrap = new vm.Script(BOOTSTRAP, { filename: "weft:sandbox-bootstrap" }).runInContext(context) as (
    hooks: unknown,
    filename: string,
  ) => { exports: Record<string, unknown> };
  const module = bootstrap(hooks, filename);

  try {
    // The wrapper starts on the module's first line, so stack traces keep its line numbers.
    // Defining and calling it in one script lets the timeout cover the module's top level:
    // it only defines things, and a loop there would hang the worker.
    const loader =
      `(function (exports, require, module) {${code}\n})` +
      ".call(__weftLoad.module.exports, __weftLoad.module.exports, __weftLoad.require, __weftLoad.module);";
    new vm.Script(loader, { filename }).runInContext(context, { timeout: options.timeoutMs ?? 5000 });
  } catch (error) {
    const message = typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
    throw new Error(`cannot load workflow module ${filename}: ${message}`, { cause: error });
  } finally {
    vm.runInContext("delete globalThis.__weftLoad", context);
  }
  const exports = module.exports;

  const problems: string[] = [];
  if (typeof exports.name !== "string") problems.push("`name` (a string)");
  if (typeof exports.hash !== "string") problems.push("`hash` (a string)");
  if (typeof exports.default !== "function") problems.push("a default export (the workflow function)");
  if (problems.length > 0) {
    throw new Error(`workflow module ${filename} does not export ${problems.join(", ")}: is it a module compiled by Weft?`);
  }
  return Object.freeze({
    name: exports.name as string,
    hash: exports.hash as string,
    run: exports.default as WorkflowFunction,
  });
}
