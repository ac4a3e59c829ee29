// Random workflow documents, from a seed: valid ones built by construction (a random graph of
// every node kind, loops and merges included, with expressions that only read variables defined
// on every path), broken ones made by mutating a valid one, and large realistic ones for the
// benchmark. Pure and deterministic: the same seed always gives the same document.
//
// Used by test/compiler/generative.test.ts and bench/compiler.ts.

import type { Edge, WorkflowDocument, WorkflowNode } from "../../compiler/document.ts";

// ---------------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32).

export interface Rng {
  /** In [0, 1). */
  next(): number;
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A key of `weights`, with probability proportional to its weight. */
  weighted<K extends string>(weights: Record<K, number>): K;
  shuffle<T>(items: T[]): T[];
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted(weights) {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      let r = next() * entries.reduce((sum, [, w]) => sum + w, 0);
      for (const [k, w] of entries) if ((r -= w) < 0) return k;
      return entries[entries.length - 1][0];
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Names. Some are chosen to collide with what generated code declares itself.

const INPUT_PROPS = ["amount", "email", "customerId", "items", "flag", "count", "name", "order", "limit", "at"];
const FIELD_NAMES = ["id", "total", "status", "items", "approved", "by", "comment", "value", "ok", "length", "at"];
const PLAIN_VARIABLES = ["order", "status", "receipt", "decision", "payload", "total", "user", "account", "invoice", "reply", "score", "result2", "v_1", "_tmp"];
/** Valid variable names that are also names generated code uses (ids, helpers, locals). */
const TRICKY_VARIABLES = ["at", "activities", "decisions", "decide", "approval", "stateQuery", "approveSignal", "declineSignal", "hash", "name", "resume", "Resume", "Activity", "outcome", "carried", "helpers", "condition", "sleep", "step", "proxyActivities", "setHandler", "route", "loop", "inbox", "waitForSignal", "tryActivity", "sleepUntil", "goSignal", "paymentReceivedSignal", "next", "orderItem", "wf2", "at2"];
/** JavaScript globals: expressions cannot read them, so they are not valid variable names. */
const GLOBAL_NAMES = ["Map", "Object", "JSON", "Array", "Promise", "Error", "Symbol", "Set"];
const TRICKY_NODE_IDS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "ctx", "input", "workflow", "await", "class", "new", "default", "at", "activities", "wf", "resume", "x.y:z", "3ds", "_", "a-b", "a_b", "aB", "aBOutcome", "a-b-outcome", "decisions", "approval", "9", "E", "done", "else"];
const DOC_NAMES = ["order-item", "money-transfer", "x", "a1", "class", "default", "input", "ctx", "wf", "workflow", "activities", "resume", "a--b", "x-1", "new", "await", "constructor", "proto-", "z9-9z", "hash", "name", "at", "state-query", "approve-signal", "go-signal", "sleep-until", "try-activity", "add-duration", "start-of-next-month", "order", "decisions", "approval"];
const ACTIVITIES = ["orders.init", "orders.fulfill", "billing.computeStatement", "notify.email", "a", "x_y.z-w", "bank.transfer", "Http.Request", "constructor", "a.constructor.toString"];
// "approve" and "decline" are reserved for approvals; a signal node may not wait for them.
const SIGNALS = ["payment.received", "go", "cancel-order", "constructor", "toString"];
const BRANCH_HANDLES = ["big", "small", "yes", "no", "a", "b-2", "x_y", "ok", "error", "timeout", "approved", "declined", "default", "constructor", "1"];
const DURATIONS = ["500ms", "10s", "5m", "2h", "7d", "PT10S", "P7D", "P1W", "PT1H30M", "PT0.5S", "P1DT2H", "1ms", "90s"];
const LABELS = ["Initiate order", "  Fulfill\n order  ", "Ship */ now", "Line\u2028separator", "quote \" and `back` ${x}", "", "Ünïcödé ✓", "\\ backslash", "// comment", "a\r\nb", "\t"];
const ASSIGNEES = ["finance", "alice@example.com", "role:manager", "bob"];

// ---------------------------------------------------------------------------------------------
// Expressions from a small grammar. Operands of operators that TypeScript types strictly
// (arithmetic, comparisons, `??`, `||`) include a value of type `any` (input, outputs), so the
// expressions are the kind people write and the generated module is expected to type-check.

type Kind = "any" | "number" | "string" | "boolean";

export interface ExpressionScope {
  /** Output variables defined on every path to the node and readable by expressions. */
  variables: readonly string[];
}

export function randomExpression(rng: Rng, scope: ExpressionScope, kind: Kind = "any", depth = 0): string {
  const leaf = depth >= 3 || rng.chance(0.35 + depth * 0.15);
  /** A sub-expression, in parentheses unless it is an atom, so that operators keep their meaning. */
  const sub = (k: Kind) => {
    const e = randomExpression(rng, scope, k, depth + 1);
    return /^[\w.?"[\]]+$/.test(e) ? e : `(${e})`;
  };
  const atom = () => anyAtom(rng, scope);
  switch (kind) {
    case "any":
      if (leaf) return atom();
      return rng.pick([
        () => atom(),
        () => `${atom()} ?? ${sub(rng.pick<Kind>(["number", "string"]))}`,
        () => `${sub("boolean")} ? ${sub("any")} : ${sub("any")}`,
        () => `[${Array.from({ length: rng.int(0, 3) }, () => sub("any")).join(", ")}]`,
        () => `{ ${objectEntries(rng, scope, depth)} }`,
        () => `[...${atom()}]`,
        () => randomExpression(rng, scope, rng.pick<Kind>(["number", "string", "boolean"]), depth + 1),
      ])();
    case "number":
      if (leaf) return rng.pick([() => String(rng.int(0, 10000)), () => `${rng.int(0, 99)}.5`, () => "Math.PI", atom])();
      return rng.pick([
        () => `${atom()} ${rng.pick(["+", "-", "*", "/", "%"])} ${sub("number")}`,
        () => `${sub("number")} * ${rng.int(1, 100)}`,
        () => `Math.${rng.pick(["round", "floor", "ceil", "abs", "sqrt", "trunc"])}(${sub("number")})`,
        () => `Math.max(${sub("number")}, ${sub("number")})`,
        () => `Math.min(...${atom()})`,
        () => `Math.pow(${atom()}, 2)`,
        () => `Number(${atom()})`,
        () => `-${atom()}`,
        () => `${atom()} ** 2`,
        () => `${atom()}.length`,
      ])();
    case "string":
      if (leaf) return rng.pick([() => JSON.stringify(rng.pick(["ok", "Hello", "", 'a"b', "line\nbreak", "${not}", "ünï"])), () => `workflow.${rng.pick(["now", "id", "runId", "startedAt"])}`, atom])();
      return rng.pick([
        () => `\`${rng.pick(["Amount", "Hi", "Order", ""])} \${${sub("any")}} and \${${sub("number")}}\``,
        () => `String(${sub("any")})`,
        () => `addDuration(${rng.pick(["workflow.now", "workflow.startedAt", atom()])}, ${JSON.stringify(rng.pick(DURATIONS))})`,
        () => `startOfNextMonth(${rng.pick(["workflow.now", atom()])})`,
        () => `${atom()} + ${sub("string")}`,
        () => `${JSON.stringify("#")} + ${sub("any")}`,
        () => `${atom()}?.${rng.pick(FIELD_NAMES)} ?? "none"`,
      ])();
    case "boolean":
      if (leaf) return rng.pick([() => `${atom()} > ${rng.int(0, 100)}`, () => `Boolean(${atom()})`, () => `!${atom()}`, atom])();
      return rng.pick([
        () => `${atom()} ${rng.pick([">", ">=", "<", "<=", "===", "!==", "==", "!="])} ${sub("number")}`,
        () => `${atom()} === ${JSON.stringify(rng.pick(["ok", "paid", ""]))}`,
        () => `${sub("boolean")} && ${sub("boolean")}`,
        () => `${sub("boolean")} || ${atom()}`,
        () => `!${sub("boolean")}`,
        () => `${JSON.stringify(rng.pick(FIELD_NAMES))} in ${atom()}`,
        () => `workflow.now < ${sub("string")}`,
        () => `${atom()} != null`,
      ])();
  }
}

function objectEntries(rng: Rng, scope: ExpressionScope, depth: number): string {
  const keys = [...new Set(Array.from({ length: rng.int(0, 3) }, () => rng.pick(["a", "total", "b-c", "id", "x1", "status"])))];
  const entries = keys.map((k) => `${/^[a-z]\w*$/.test(k) ? k : JSON.stringify(k)}: ${randomExpression(rng, scope, "any", depth + 1)}`);
  if (rng.chance(0.2)) entries.push(`...${anyAtom(rng, scope)}`);
  return entries.join(", ");
}

/** A value of type `any`: the input or a readable output variable, maybe a member of it. */
function anyAtom(rng: Rng, scope: ExpressionScope): string {
  const root = scope.variables.length > 0 && rng.chance(0.6) ? rng.pick(scope.variables) : "input";
  return rng.pick([
    () => (root === "input" ? `input.${rng.pick(INPUT_PROPS)}` : root),
    () => `${root}.${rng.pick(root === "input" ? INPUT_PROPS : FIELD_NAMES)}`,
    () => `${root}?.${rng.pick(FIELD_NAMES)}`,
    () => `${root}[${JSON.stringify(rng.pick(["a b", "x-y", "id", "0"]))}]`,
    () => `${root}.${rng.pick(FIELD_NAMES)}[${rng.int(0, 3)}]`,
    () => `${root}.items[input.count]`,
  ])();
}

// ---------------------------------------------------------------------------------------------
// Valid documents, by construction.

export interface BuildOptions {
  minNodes?: number;
  maxNodes?: number;
}

type Open = { source: string; handle: string | undefined };

const NODE_KINDS = { step: 40, timer: 9, approval: 10, signal: 9, branch: 16, end: 16 } as const;

/** A valid document of `minNodes`..`maxNodes` nodes (a few more when open handles need ends). */
export function validDocument(rng: Rng, options: BuildOptions = {}): WorkflowDocument {
  const size = rng.int(options.minNodes ?? 2, options.maxNodes ?? 40);
  const nodes: WorkflowNode[] = [];
  const edges: Edge[] = [];
  const usedIds = new Set<string>();
  let edgeCount = 0;

  const newId = (prefix: string): string => {
    if (rng.chance(0.08)) {
      const tricky = rng.pick(TRICKY_NODE_IDS);
      if (!usedIds.has(tricky)) return use(tricky);
    }
    for (let i = nodes.length; ; i++) {
      const id = rng.chance(0.5) ? `${prefix}-${i}` : rng.chance(0.5) ? `n${i}` : `${prefix}_${i}.${rng.int(0, 9)}`;
      if (!usedIds.has(id)) return use(id);
    }
  };
  const use = (id: string) => {
    usedIds.add(id);
    return id;
  };
  const connect = (open: Open, target: string) => {
    let id = `e${++edgeCount}`;
    if (rng.chance(0.03) && !usedIds.has("edge:" + id)) id = rng.pick(["constructor", "__proto__", "e-x"]) + edgeCount;
    while (usedIds.has(id)) id = `e${++edgeCount}`;
    usedIds.add(id);
    const edge: Edge = { id, source: open.source, target };
    if (open.handle !== undefined) edge.sourceHandle = open.handle;
    else if (rng.chance(0.05)) (edge as { sourceHandle?: string | null }).sourceHandle = null;
    if (rng.chance(0.05)) (edge as Edge & { label?: string }).label = rng.pick(LABELS);
    edges.push(edge);
  };
  const outputName = () => {
    const r = rng.next();
    if (r < 0.15) return rng.pick(TRICKY_VARIABLES);
    return rng.pick(PLAIN_VARIABLES);
  };
  const common = (node: WorkflowNode): WorkflowNode => {
    if (rng.chance(0.3)) node.label = rng.pick(LABELS);
    if (rng.chance(0.7)) node.position = { x: rng.int(-500, 2000), y: rng.int(-500, 2000) };
    return node;
  };

  const makeNode = (kind: keyof typeof NODE_KINDS): { node: WorkflowNode; handles: (string | undefined)[] } => {
    switch (kind) {
      case "step": {
        const node: WorkflowNode = { id: newId("step"), type: "step", activity: rng.pick(ACTIVITIES) };
        if (rng.chance(0.6)) node.output = outputName();
        if (rng.chance(0.35)) node.timeout = rng.pick(DURATIONS);
        if (rng.chance(0.35)) {
          const initial = rng.pick(["1s", "500ms", "PT2S"]);
          node.retry = {};
          if (rng.chance(0.7)) node.retry.initialInterval = initial;
          if (rng.chance(0.6)) node.retry.backoffCoefficient = rng.pick([1, 1.5, 2, 3]);
          if (rng.chance(0.6)) node.retry.maximumInterval = rng.pick(["10s", "1m", "PT30S"]);
          if (rng.chance(0.6)) node.retry.maximumAttempts = rng.int(0, 100);
          if (rng.chance(0.4)) node.retry.nonRetryableErrors = rng.pick([[], ["PaymentFailed"], ["A", "B.C", "constructor"]]);
        }
        return { node: common(node), handles: rng.chance(0.3) ? [undefined, "error"] : [undefined] };
      }
      case "timer":
        return { node: common({ id: newId("timer"), type: "timer", ...(rng.chance(0.6) ? { duration: rng.pick([...DURATIONS, "0s"]) } : {}) }), handles: [undefined] };
      case "approval": {
        const node: WorkflowNode = { id: newId("approval"), type: "approval" };
        if (rng.chance(0.5)) node.timeout = rng.pick(DURATIONS);
        if (rng.chance(0.6)) node.output = outputName();
        if (rng.chance(0.4)) node.assignees = rng.shuffle([...ASSIGNEES]).slice(0, rng.int(0, 3));
        return { node: common(node), handles: node.timeout ? ["approved", "declined", "timeout"] : ["approved", "declined"] };
      }
      case "signal": {
        const node: WorkflowNode = { id: newId("signal"), type: "signal", signal: rng.pick(SIGNALS) };
        if (rng.chance(0.5)) node.timeout = rng.pick(DURATIONS);
        if (rng.chance(0.6)) node.output = outputName();
        return { node: common(node), handles: node.timeout ? [undefined, "timeout"] : [undefined] };
      }
      case "branch": {
        const handles = rng.shuffle([...BRANCH_HANDLES]).slice(0, rng.int(1, 3));
        const node: WorkflowNode = { id: newId("branch"), type: "branch", conditions: handles.map((handle) => ({ handle, when: "=true" })) };
        return { node: common(node), handles: [...handles, "else"] };
      }
      case "end": {
        const node: WorkflowNode = { id: newId("end"), type: "end" };
        const r = rng.next();
        if (r < 0.3) node.status = "failed";
        else if (r < 0.5) node.status = "completed";
        return { node: common(node), handles: [] };
      }
    }
  };

  const start = common({ id: rng.chance(0.8) ? use("start") : newId("start"), type: "start" });
  nodes.push(start);
  const open: Open[] = [{ source: start.id, handle: undefined }];
  const ends: string[] = [];
  const place = (kind: keyof typeof NODE_KINDS) => {
    const { node, handles } = makeNode(kind);
    // One or two open handles lead into the new node (two make a merge).
    const incoming = open.length > 1 && rng.chance(0.25) ? 2 : 1;
    for (let k = 0; k < incoming; k++) {
      const index = rng.chance(0.6) ? open.length - 1 : rng.int(0, open.length - 1);
      connect(open.splice(index, 1)[0], node.id);
    }
    nodes.push(node);
    if (node.type === "end") ends.push(node.id);
    for (const handle of rng.chance(0.5) ? handles : rng.shuffle([...handles])) open.push({ source: node.id, handle });
  };

  while (nodes.length < size && open.length > 0) {
    let kind = rng.weighted(NODE_KINDS);
    if (kind === "end" && open.length === 1 && nodes.length < size - 1) kind = "step";
    place(kind);
    // Now and then an open handle loops back to an earlier node (or merges into one).
    if (open.length > 1 && rng.chance(0.08)) {
      const index = rng.int(0, open.length - 1);
      connect(open.splice(index, 1)[0], rng.pick(nodes.slice(1)).id);
    }
  }
  // Close the remaining handles: into an end, back to an earlier node, or into a new end.
  while (open.length > 0) {
    const handle = open.shift()!;
    const r = rng.next();
    if (r < 0.35 && ends.length > 0) connect(handle, rng.pick(ends));
    else if (r < 0.6 || nodes.length >= 45) connect(handle, rng.pick(nodes.slice(1)).id);
    else {
      const { node } = makeNode("end");
      connect(handle, node.id);
      nodes.push(node);
      ends.push(node.id);
    }
  }

  fillExpressions(rng, nodes, edges);
  const doc: WorkflowDocument = { name: rng.chance(0.7) ? `wf-${rng.int(0, 9999)}` : rng.pick(DOC_NAMES), nodes, edges };
  if (rng.chance(0.4)) doc.title = rng.pick(LABELS);
  if (rng.chance(0.2)) doc.inputSchema = rng.pick<WorkflowDocument["inputSchema"]>([true, { type: "object", properties: { amount: { type: "number" } } }, { type: "object", required: ["email"] }]);
  // The arrays' order carries no meaning.
  rng.shuffle(doc.nodes);
  rng.shuffle(doc.edges);
  return doc;
}

/** Must-define analysis by a plain fixpoint over sets: the oracle the compiler is checked against. */
export function variablesInScope(nodes: readonly WorkflowNode[], edges: readonly Edge[]): Map<string, Set<string>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const start = nodes.find((n) => n.type === "start")!;
  const all = new Set(nodes.flatMap((n) => ("output" in n && n.output ? [n.output] : [])));
  const scope = new Map<string, Set<string>>(nodes.map((n) => [n.id, n === start ? new Set<string>() : new Set(all)]));
  const skips = (n: WorkflowNode, handle: string | null | undefined) => (n.type === "step" && handle === "error") || ((n.type === "approval" || n.type === "signal") && handle === "timeout");
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of nodes) {
      if (n === start) continue;
      let meet: Set<string> | undefined;
      for (const e of edges) {
        if (e.target !== n.id) continue;
        const source = byId.get(e.source)!;
        const flowing = new Set(scope.get(source.id)!);
        if ("output" in source && source.output && !skips(source, e.sourceHandle)) flowing.add(source.output);
        meet = meet === undefined ? flowing : new Set([...meet].filter((v) => flowing.has(v)));
      }
      const current = scope.get(n.id)!;
      const next = meet ?? new Set<string>();
      if (next.size !== current.size) {
        scope.set(n.id, next);
        changed = true;
      }
    }
  }
  return scope;
}

function readable(variables: Iterable<string>): string[] {
  return [...variables].sort();
}

/** Gives every node its values, with expressions that read only what is in scope there. */
function fillExpressions(rng: Rng, nodes: WorkflowNode[], edges: Edge[]): void {
  const scopes = variablesInScope(nodes, edges);
  for (const node of nodes) {
    const scope: ExpressionScope = { variables: readable(scopes.get(node.id)!) };
    const value = (depth = 0): unknown => randomValue(rng, scope, depth);
    switch (node.type) {
      case "step":
        if (rng.chance(0.85)) node.input = value() as never;
        break;
      case "timer":
        if (node.duration === undefined) {
          node.until = rng.pick([
            () => `=${randomExpression(rng, scope, "string")}`,
            () => `=${randomExpression(rng, scope, "number")}`,
            () => `=${anyAtom(rng, scope)}`,
            () => "2030-01-01T00:00:00Z",
          ])();
        }
        break;
      case "approval":
        if (rng.chance(0.7)) node.title = rng.chance(0.5) ? "Approve" : `=${randomExpression(rng, scope, "string")}`;
        if (rng.chance(0.5)) node.message = value() as never;
        break;
      case "branch":
        for (const condition of node.conditions) condition.when = `=${rng.chance(0.8) ? randomExpression(rng, scope, "boolean") : anyAtom(rng, scope)}`;
        break;
      case "end":
        if (rng.chance(0.6)) node.result = value() as never;
        if (node.status === "failed" || rng.chance(0.1)) node.error = rng.chance(0.5) ? "Declined" : (`=${randomExpression(rng, scope, "string")}` as never);
        break;
      case "start":
      case "signal":
        break;
    }
  }
}

/** A document value: literals, expressions, and objects and arrays mixing both. */
export function randomValue(rng: Rng, scope: ExpressionScope, depth = 0): unknown {
  const r = rng.next();
  if (depth < 2 && r < 0.35) {
    const value: Record<string, unknown> = {};
    for (const key of rng.shuffle(["orderId", "qty", "to", "subject", "body", "at", "a b", "constructor", "__proto__", "nested"]).slice(0, rng.int(0, 4))) {
      value[key] = randomValue(rng, scope, depth + 1);
    }
    return value;
  }
  if (depth < 2 && r < 0.45) return Array.from({ length: rng.int(0, 3) }, () => randomValue(rng, scope, depth + 1));
  if (r < 0.8) return `=${randomExpression(rng, scope, rng.pick<Kind>(["any", "number", "string", "boolean"]))}`;
  return rng.pick<unknown>([null, true, 0, -1.5, 1e21, "text", "", "a=b", " =not-an-expression", "${x}", "\u2028", { "=": "x" }]);
}

// ---------------------------------------------------------------------------------------------
// Broken documents: a valid one, mutated.

export interface Mutation {
  name: string;
  /** Whether the mutation certainly makes the document invalid. */
  breaks: boolean;
  /** Ids of which the diagnostics must name one, when the mutation determines them. */
  expectIds?: string[];
}

export const FORBIDDEN_EXPRESSIONS = [
  "new Date()", "Math.random()", "Date.now()", "x = 1", "input.a = 1", "input.a++", "--input.b", "() => 1", "function () { return 1 }",
  "this.x", "input.constructor", "input['__proto__']", "input.prototype", "input[`constructor`]", "globalThis.process", "require('fs')",
  "import('x')", "process.env.HOME", "eval('1')", "new Foo()", "`${new Date()}`", "[1, , 2]", "input.a ?? input.b || input.c",
  "(1, 2)", "delete input.a", "typeof input", "void 0", "input as any", "input!", "/re/.test(input.a)", "10n", "JSON.parse(input.a)",
  "Object.keys(input)", "input.a.toString()", "Math['random']()", "unknownName", "class {}", "input.a +", "", ")", "{", "input.a input.b",
  "a; b", "`unterminated", "((((((1)))))", "Function('x')()", "String(1, 2)", "Math.round(...input.items)", "super.x", "import.meta",
  "({ get a() { return 1 } })", "({ a: 1, a: 2 })", "({ a = 1 })", "[...input.items].map(x => x)", "input?.a.b()",
];

const BAD_DURATIONS = ["10 minutes", "5x", "-1s", "1.5h", "", "P", "PT", "P1M", "1d2h", "99999999999999999999d", "ms", "0"];
const GARBAGE: unknown[] = [null, true, false, 0, -1, 3.5, "", "x", "=", "=1 +", [], [1, "a"], {}, { a: { b: [null] } }, "=new Date()"];

/** Applies one random mutation in place (or returns a replacement document). */
export function mutate(rng: Rng, doc: Record<string, any>): { doc: unknown; mutation: Mutation } {
  const nodes = doc.nodes as any[];
  const edges = doc.edges as any[];
  const objects = (list: any[]) => list.filter((x) => x !== null && typeof x === "object" && !Array.isArray(x) && typeof x.id === "string");
  const liveNodes = objects(nodes);
  const liveEdges = objects(edges);
  const nodeIds = () => new Set(objects(doc.nodes).map((n) => n.id));
  const someNode = (pred: (n: any) => boolean = () => true) => {
    const c = liveNodes.filter(pred);
    return c.length > 0 ? rng.pick(c) : undefined;
  };
  const exprField = (n: any): [string, (v: string) => void] | undefined => {
    switch (n.type) {
      case "step":
        return ["input", (v) => (n.input = rng.chance(0.5) ? v : { key: v, other: 1 })];
      case "branch":
        return Array.isArray(n.conditions) && n.conditions.length > 0 ? ["when", (v) => (rng.pick(n.conditions as any[]).when = v)] : undefined;
      case "end":
        return ["result", (v) => (n.result = [v])];
      case "approval":
        return ["title", (v) => (n.title = v)];
      case "timer":
        return n.until !== undefined ? ["until", (v) => (n.until = v)] : undefined;
      default:
        return undefined;
    }
  };

  const kind = rng.weighted({
    deleteEdge: 8, missingTarget: 6, missingSource: 3, wrongHandle: 6, duplicateId: 5, badDuration: 6, badExpression: 12, unknownVariable: 8,
    garbageField: 10, nonObjectNode: 3, nonObjectEdge: 2, missingArrays: 3, wrongType: 3, missingRequired: 4, badName: 3, secondStart: 3,
    badActivity: 3, reservedOutput: 3, wholeGarbage: 2, edgeIntoStart: 3, duplicateHandle: 4, unreachable: 4, deepExpression: 1, emptyId: 2,
    approvalTimeout: 3, badPosition: 2,
  });

  switch (kind) {
    case "deleteEdge": {
      if (liveEdges.length === 0) break;
      const edge = rng.pick(liveEdges);
      edges.splice(edges.indexOf(edge), 1);
      const source = liveNodes.find((n) => n.id === edge.source);
      // A step's error edge is optional: without it the document may still be valid.
      const optional = source?.type === "step" && edge.sourceHandle === "error";
      return { doc, mutation: { name: kind, breaks: !optional, expectIds: optional ? undefined : [edge.source] } };
    }
    case "missingTarget":
    case "missingSource": {
      if (liveEdges.length === 0) break;
      const edge = rng.pick(liveEdges);
      const missing = `missing-${rng.int(0, 999)}`;
      if (nodeIds().has(missing)) break;
      if (kind === "missingTarget") edge.target = missing;
      else edge.source = missing;
      return { doc, mutation: { name: kind, breaks: true, expectIds: [edge.id] } };
    }
    case "wrongHandle": {
      if (liveEdges.length === 0) break;
      const edge = rng.pick(liveEdges);
      const source = liveNodes.find((n) => n.id === edge.source);
      if (!source) break;
      const allowed = handlesOf(source);
      const candidates = ["bogus", "else", "error", "timeout", "approved", "declined", "", "Else", "big"].filter((h) => !allowed.includes(h));
      const handle = rng.pick(candidates);
      edge.sourceHandle = handle;
      return { doc, mutation: { name: kind, breaks: true, expectIds: [edge.id] } };
    }
    case "duplicateId": {
      if (liveNodes.length < 2) break;
      const [a, b] = rng.shuffle([...liveNodes, ...(rng.chance(0.3) ? liveEdges : [])]).slice(0, 2);
      if (!a || !b || a.id === b.id) break;
      b.id = a.id;
      return { doc, mutation: { name: kind, breaks: true, expectIds: [a.id] } };
    }
    case "badDuration": {
      const node = someNode((n) => ["step", "timer", "approval", "signal"].includes(n.type));
      if (!node) break;
      const bad = rng.pick(BAD_DURATIONS);
      if (node.type === "timer") {
        delete node.until;
        node.duration = bad;
      } else if (node.type === "step" && rng.chance(0.5)) node.retry = { ...(node.retry ?? {}), initialInterval: bad };
      else node.timeout = bad;
      return { doc, mutation: { name: kind, breaks: true, expectIds: [node.id] } };
    }
    case "badExpression":
    case "unknownVariable": {
      const node = someNode((n) => exprField(n) !== undefined);
      if (!node) break;
      let source: string;
      if (kind === "badExpression") source = rng.pick(FORBIDDEN_EXPRESSIONS);
      else {
        const inScope = variablesInScope(liveNodes, liveEdges.filter((e) => liveNodes.some((n) => n.id === e.source) && liveNodes.some((n) => n.id === e.target))).get(node.id) ?? new Set<string>();
        const outside = liveNodes.map((n) => n.output).filter((v): v is string => typeof v === "string" && !inScope.has(v));
        const name = outside.length > 0 && rng.chance(0.7) ? rng.pick(outside) : rng.pick(["nope", "orderz", "statement", "x"]);
        if (inScope.has(name)) break;
        source = rng.pick([`${name}.total`, `input.a + ${name}`, `\`\${${name}}\``, `{ a: ${name} }`, `${name}`]);
      }
      exprField(node)![1](`=${source}`);
      return { doc, mutation: { name: kind, breaks: true, expectIds: [node.id] } };
    }
    case "garbageField": {
      const target = rng.chance(0.8) ? someNode() : rng.chance(0.5) && liveEdges.length > 0 ? rng.pick(liveEdges) : doc;
      if (!target) break;
      const fields = ["label", "position", "activity", "input", "output", "retry", "timeout", "duration", "until", "title", "message", "assignees", "signal", "conditions", "result", "status", "error", "extra", "source", "target", "sourceHandle", "name", "title", "inputSchema"];
      const field = rng.pick(fields);
      const value = rng.pick(GARBAGE);
      if (rng.chance(0.1)) delete target[field];
      else target[field] = value;
      return { doc, mutation: { name: `${kind}:${field}`, breaks: false } };
    }
    case "nonObjectNode":
    case "nonObjectEdge": {
      const list = kind === "nonObjectNode" ? nodes : edges;
      if (list.length === 0) break;
      const i = rng.int(0, list.length - 1);
      list[i] = rng.pick([null, 42, "node", [], [{ id: "x" }], true]);
      return { doc, mutation: { name: kind, breaks: true, expectIds: [`${kind === "nonObjectNode" ? "nodes" : "edges"}[${i}]`] } };
    }
    case "missingArrays": {
      const field = rng.pick(["nodes", "edges"]);
      if (rng.chance(0.5)) delete doc[field];
      else doc[field] = rng.pick([null, {}, "[]", 0, { 0: {} }]);
      return { doc, mutation: { name: `${kind}:${field}`, breaks: true } };
    }
    case "wrongType": {
      const node = someNode();
      if (!node) break;
      if (rng.chance(0.3)) delete node.type;
      else node.type = rng.pick(["task", "Step", "", 7, null, "loop"]);
      return { doc, mutation: { name: kind, breaks: true } };
    }
    case "missingRequired": {
      const node = someNode((n) => ["step", "signal", "branch"].includes(n.type));
      if (!node) break;
      delete node[node.type === "step" ? "activity" : node.type === "signal" ? "signal" : "conditions"];
      return { doc, mutation: { name: kind, breaks: true, expectIds: [node.id] } };
    }
    case "badName":
      doc.name = rng.pick(["Order Item", "1abc", "", 42, null, "a_b", "-x", "x".repeat(200), "ÜNÏ"]);
      return { doc, mutation: { name: kind, breaks: true } };
    case "secondStart": {
      const node = someNode((n) => n.type !== "start" && n.type !== "end");
      if (!node) break;
      for (const key of Object.keys(node)) if (!["id", "type", "label", "position"].includes(key)) delete node[key];
      node.type = "start";
      return { doc, mutation: { name: kind, breaks: true } };
    }
    case "badActivity": {
      const node = someNode((n) => n.type === "step");
      if (!node) break;
      node.activity = rng.pick(["orders..init", "9x", "a b", "", ".a", "a.", "ü.x", "a/b"]);
      return { doc, mutation: { name: kind, breaks: true, expectIds: [node.id] } };
    }
    case "reservedOutput": {
      const node = someNode((n) => ["step", "approval", "signal"].includes(n.type));
      if (!node) break;
      node.output = rng.pick(["input", "ctx", "Math", "workflow", "class", "addDuration", "undefined", "wf", "1x", "a-b", "", ...GLOBAL_NAMES]);
      return { doc, mutation: { name: kind, breaks: true, expectIds: [node.id] } };
    }
    case "wholeGarbage":
      return { doc: rng.pick<unknown>([null, 42, "doc", [], {}, [doc], { nodes: [], edges: [] }, { name: "x", nodes: [], edges: [] }, true]), mutation: { name: kind, breaks: true } };
    case "edgeIntoStart": {
      const start = someNode((n) => n.type === "start");
      if (!start || liveEdges.length === 0) break;
      const edge = rng.pick(liveEdges);
      edge.target = start.id;
      return { doc, mutation: { name: kind, breaks: true, expectIds: [edge.id] } };
    }
    case "duplicateHandle": {
      if (liveEdges.length === 0) break;
      const edge = rng.pick(liveEdges);
      const target = someNode((n) => n.type !== "start");
      if (!target) break;
      edges.push({ ...edge, id: `dup-${edge.id}`, target: target.id });
      return { doc, mutation: { name: kind, breaks: true, expectIds: [edge.id, `dup-${edge.id}`] } };
    }
    case "unreachable": {
      let id = `orphan-${rng.int(0, 99)}`;
      if (nodeIds().has(id)) id += "x";
      nodes.push({ id, type: "end" });
      return { doc, mutation: { name: kind, breaks: true, expectIds: [id] } };
    }
    case "deepExpression": {
      const node = someNode((n) => exprField(n) !== undefined);
      if (!node) break;
      const depth = rng.pick([130, 200, 1000, 3000]);
      const source = rng.pick([`${"(".repeat(depth)}1${")".repeat(depth)}`, `${"[".repeat(depth)}${"]".repeat(depth)}`, `${"-".repeat(depth)}1`, `${"input.a + ".repeat(depth)}1`, `${"!".repeat(depth)}input`]);
      exprField(node)![1](`=${source}`);
      // Long flat chains are fine (the limit is on depth, and `a + a + ...` nests on the left).
      return { doc, mutation: { name: kind, breaks: false } };
    }
    case "emptyId": {
      const target = rng.chance(0.7) ? someNode() : liveEdges.length > 0 ? rng.pick(liveEdges) : undefined;
      if (!target) break;
      target.id = rng.pick(["", " ", "a b", "ü", "-x", 5, null]);
      return { doc, mutation: { name: kind, breaks: true } };
    }
    case "approvalTimeout": {
      const node = someNode((n) => n.type === "approval" && n.timeout === undefined);
      if (!node) break;
      node.timeout = "1h";
      return { doc, mutation: { name: kind, breaks: true, expectIds: [node.id] } };
    }
    case "badPosition": {
      const node = someNode();
      if (!node) break;
      node.position = rng.pick<unknown>([{ x: "1", y: 2 }, { x: 1 }, [1, 2], null, "0,0"]);
      return { doc, mutation: { name: kind, breaks: true, expectIds: [node.id] } };
    }
  }
  // The chosen mutation did not apply to this document: a garbage field always does.
  doc.extraField = rng.pick(GARBAGE);
  return { doc, mutation: { name: "extraField", breaks: false } };
}

function handlesOf(node: any): string[] {
  switch (node.type) {
    case "start":
    case "timer":
      return [""];
    case "step":
      return ["", "error"];
    case "approval":
      return node.timeout !== undefined ? ["approved", "declined", "timeout"] : ["approved", "declined"];
    case "signal":
      return node.timeout !== undefined ? ["", "timeout"] : [""];
    case "branch":
      return [...(Array.isArray(node.conditions) ? node.conditions.map((c: any) => c?.handle) : []), "else"];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// The generative test's documents.

export interface GeneratedDocument {
  seed: number;
  /** What compile() is given: a document, or anything a broken mutation left. */
  raw: unknown;
  /** Empty for documents that are valid by construction. */
  mutations: Mutation[];
}

/** About 40% valid documents; the rest carry one to three mutations. */
export function randomDocument(seed: number, options: BuildOptions = {}): GeneratedDocument {
  const rng = createRng(seed);
  const doc = validDocument(rng, options);
  if (rng.chance(0.4)) return { seed, raw: doc, mutations: [] };
  const mutations: Mutation[] = [];
  let raw: unknown = JSON.parse(JSON.stringify(doc));
  const count = rng.weighted({ 1: 6, 2: 3, 3: 1 });
  for (let i = 0; i < Number(count); i++) {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw) || !Array.isArray((raw as any).nodes) || !Array.isArray((raw as any).edges)) break;
    const result = mutate(rng, raw as Record<string, any>);
    raw = result.doc;
    mutations.push(result.mutation);
  }
  return { seed, raw, mutations };
}

// ---------------------------------------------------------------------------------------------
// Large realistic documents for the benchmark: long sequences of steps whose inputs read earlier
// outputs, branch diamonds, loops through a timer, approvals with a timeout and an escalation,
// steps with a compensating error path.

export function largeDocument(size: number, seed = 1): WorkflowDocument {
  const rng = createRng(seed);
  const nodes: WorkflowNode[] = [{ id: "start", type: "start", position: { x: 0, y: 0 } }];
  const edges: Edge[] = [];
  /** Variables defined on the main path so far: every later node may read them. */
  const spine: string[] = [];
  let counter = 0;
  const id = (prefix: string) => `${prefix}-${++counter}`;
  const edge = (source: string, target: string, sourceHandle?: string) => {
    const e: Edge = { id: `e${edges.length + 1}`, source, target };
    if (sourceHandle !== undefined) e.sourceHandle = sourceHandle;
    edges.push(e);
  };
  const position = () => ({ x: (counter % 7) * 220, y: counter * 120 });
  const recent = (): string[] => {
    const picks = new Set<string>();
    for (let i = 0; i < rng.int(1, 3) && spine.length > 0; i++) {
      picks.add(rng.chance(0.7) ? spine[Math.max(0, spine.length - 1 - rng.int(0, 5))] : rng.pick(spine));
    }
    return [...picks];
  };
  const step = (output: boolean, extra: string[] = []): WorkflowNode => {
    const n = id("step");
    const vars = [...recent(), ...extra];
    const input: Record<string, string> = { customerId: "=input.customerId" };
    for (const v of vars) input[v] = rng.pick([`=${v}.id`, `=${v}?.total ?? 0`, `=\`\${${v}.status} at \${workflow.now}\``, `=Math.round(${v}.amount * 1.2)`]);
    if (vars.length > 1) input.sum = `=${vars.map((v) => `${v}.total`).join(" + ")}`;
    const node: WorkflowNode = { id: n, type: "step", activity: rng.pick(ACTIVITIES.slice(0, 6)), input, position: position() };
    if (rng.chance(0.3)) node.retry = { initialInterval: "1s", backoffCoefficient: 2, maximumInterval: "1m", maximumAttempts: 10 };
    if (rng.chance(0.3)) node.timeout = "30s";
    if (output) node.output = `v${counter}`;
    nodes.push(node);
    return node;
  };

  let tail = "start";
  let tailHandle: string | undefined;
  const link = (target: string) => {
    edge(tail, target, tailHandle);
    tailHandle = undefined;
  };
  const room = () => size - nodes.length;
  while (room() > 12) {
    const shape = rng.weighted({ steps: 50, diamond: 20, loop: 10, approval: 10, compensate: 10 });
    if (shape === "steps") {
      for (let i = rng.int(2, 6); i > 0; i--) {
        const n = step(rng.chance(0.8));
        link(n.id);
        if (n.type === "step" && n.output) spine.push(n.output);
        tail = n.id;
      }
    } else if (shape === "diamond") {
      const b = id("branch");
      const vars = recent();
      const subject = vars[0] ?? "input";
      const handles = rng.chance(0.5) ? ["big"] : ["big", "medium"];
      nodes.push({
        id: b,
        type: "branch",
        conditions: handles.map((handle, i) => ({ handle, when: `=${subject}.amount > ${(handles.length - i) * 1000} && input.flag !== true` })),
        position: position(),
      });
      link(b);
      const merge = step(true);
      for (const handle of [...handles, "else"]) {
        let armTail = b;
        let armHandle: string | undefined = handle;
        for (let i = rng.int(1, 3); i > 0; i--) {
          const n = step(true);
          edge(armTail, n.id, armHandle);
          armTail = n.id;
          armHandle = undefined;
        }
        edge(armTail, merge.id);
      }
      tail = merge.id;
      if (merge.type === "step" && merge.output) spine.push(merge.output);
    } else if (shape === "loop") {
      const header = step(true);
      link(header.id);
      if (header.type === "step" && header.output) spine.push(header.output);
      const body = step(true);
      edge(header.id, body.id);
      const timer = id("timer");
      nodes.push(rng.chance(0.5) ? { id: timer, type: "timer", duration: "1d", position: position() } : { id: timer, type: "timer", until: `=addDuration(workflow.now, "7d")`, position: position() });
      edge(body.id, timer);
      const check = id("branch");
      nodes.push({ id: check, type: "branch", conditions: [{ handle: "again", when: `=${body.type === "step" ? body.output : "input"}.more === true` }], position: position() });
      edge(timer, check);
      edge(check, header.id, "again");
      if (body.type === "step" && body.output) spine.push(body.output);
      tail = check;
      tailHandle = "else";
    } else if (shape === "approval") {
      const a = id("approval");
      const output = `decision${counter}`;
      const subject = recent()[0] ?? "input";
      nodes.push({ id: a, type: "approval", title: "Approve", message: `=\`Please approve \${${subject}.total}\``, assignees: ["finance"], timeout: "3d", output, position: position() });
      link(a);
      const declined = id("end");
      nodes.push({ id: declined, type: "end", status: "failed", error: `=\`Declined by \${${output}.by}\``, position: position() });
      edge(a, declined, "declined");
      const escalate = step(false);
      edge(a, escalate.id, "timeout");
      const after = step(true);
      edge(a, after.id, "approved");
      edge(escalate.id, after.id);
      tail = after.id;
      if (after.type === "step" && after.output) spine.push(after.output);
    } else {
      const risky = step(true);
      link(risky.id);
      const undo = step(false);
      edge(risky.id, undo.id, "error");
      const failed = id("end");
      nodes.push({ id: failed, type: "end", status: "failed", error: "=`Compensated: ${input.customerId}`", position: position() });
      edge(undo.id, failed);
      tail = risky.id;
      if (risky.type === "step" && risky.output) spine.push(risky.output);
    }
  }
  while (room() > 1) {
    const n = step(true);
    link(n.id);
    if (n.type === "step" && n.output) spine.push(n.output);
    tail = n.id;
  }
  const done = "done";
  nodes.push({ id: done, type: "end", result: Object.fromEntries(recent().map((v) => [v, `=${v}`])), position: position() });
  link(done);
  return { name: `bench-${size}`, title: `Benchmark document of ${size} nodes`, nodes, edges };
}

/** Realistic expressions (as written after "="), with the scope they are checked in. */
export function expressionCorpus(count: number, seed = 1): { sources: string[]; scope: Set<string> } {
  const rng = createRng(seed);
  const variables = ["order", "status", "receipt", "decision", "payment", "customer", "statement", "invoice"];
  const scope: ExpressionScope = { variables };
  const kinds: Kind[] = ["any", "number", "string", "boolean"];
  const sources = Array.from({ length: count }, () => randomExpression(rng, scope, rng.pick(kinds)));
  return { sources, scope: new Set(["input", "workflow", ...variables]) };
}
