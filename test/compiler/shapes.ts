// Small hand-made workflow documents, one per shape of graph the code generator must handle.
// The structure and determinism tests compile them; each is valid.

export interface ShapeDocument {
  name: string;
  nodes: Record<string, unknown>[];
  edges: { id: string; source: string; target: string; sourceHandle?: string }[];
}

function edge(id: string, source: string, target: string, sourceHandle?: string) {
  return sourceHandle === undefined ? { id, source, target } : { id, source, target, sourceHandle };
}

function step(id: string, extra: Record<string, unknown> = {}) {
  return { id, type: "step", activity: `shapes.${id.replace(/-/g, "_")}`, ...extra };
}

/** start → a → b → c → done */
export const SEQUENCE: ShapeDocument = {
  name: "sequence",
  nodes: [
    { id: "start", type: "start" },
    step("a", { input: "=input", output: "first" }),
    step("b", { input: "=first" }),
    step("c", { input: { first: "=first", n: 1 } }),
    { id: "done", type: "end", result: "=first" },
  ],
  edges: [edge("e1", "start", "a"), edge("e2", "a", "b"), edge("e3", "b", "c"), edge("e4", "c", "done")],
};

/** start → pre → route ─big→ x → after → done; route ─else→ y → after */
export const DIAMOND: ShapeDocument = {
  name: "diamond",
  nodes: [
    { id: "start", type: "start" },
    step("pre"),
    { id: "route", type: "branch", conditions: [{ handle: "big", when: "=input.amount > 100" }] },
    step("x", { output: "price" }),
    step("y", { output: "price" }),
    step("after", { input: "=price" }),
    { id: "done", type: "end", result: "=price" },
  ],
  edges: [
    edge("e1", "start", "pre"),
    edge("e2", "pre", "route"),
    edge("e3", "route", "x", "big"),
    edge("e4", "route", "y", "else"),
    edge("e5", "x", "after"),
    edge("e6", "y", "after"),
    edge("e7", "after", "done"),
  ],
};

/** start → poll → check ─again→ wait (timer) → poll; check ─else→ done */
export const LOOP: ShapeDocument = {
  name: "poll-loop",
  nodes: [
    { id: "start", type: "start" },
    step("poll", { input: { id: "=input.id" }, output: "report" }),
    { id: "check", type: "branch", conditions: [{ handle: "again", when: "=report.pending" }] },
    { id: "wait", type: "timer", duration: "1m" },
    { id: "done", type: "end", result: "=report" },
  ],
  edges: [
    edge("e1", "start", "poll"),
    edge("e2", "poll", "check"),
    edge("e3", "check", "wait", "again"),
    edge("e4", "wait", "poll"),
    edge("e5", "check", "done", "else"),
  ],
};

/** start → charge → done; charge ─error→ refund → failed */
export const ERROR_EDGE: ShapeDocument = {
  name: "charge-or-refund",
  nodes: [
    { id: "start", type: "start" },
    step("charge", { input: { amount: "=input.amount" }, output: "receipt", retry: { maximumAttempts: 3 } }),
    step("refund", { input: { amount: "=input.amount" } }),
    { id: "done", type: "end", result: "=receipt" },
    { id: "failed", type: "end", status: "failed", error: "charge failed" },
  ],
  edges: [edge("e1", "start", "charge"), edge("e2", "charge", "done"), edge("e3", "charge", "refund", "error"), edge("e4", "refund", "failed")],
};

/** start → wait-ack (signal, 1h) → done; wait-ack ─timeout→ expired */
export const SIGNAL_TIMEOUT: ShapeDocument = {
  name: "await-ack",
  nodes: [
    { id: "start", type: "start" },
    { id: "wait-ack", type: "signal", signal: "ack", timeout: "1h", output: "ack" },
    { id: "done", type: "end", result: "=ack" },
    { id: "expired", type: "end", status: "failed", error: "no ack within an hour" },
  ],
  edges: [edge("e1", "start", "wait-ack"), edge("e2", "wait-ack", "done"), edge("e3", "wait-ack", "expired", "timeout")],
};

/** route: c1 → A, c2 → B, c3 → A, else → C; the first condition that holds wins. */
export const INTERLEAVED: ShapeDocument = {
  name: "interleaved",
  nodes: [
    { id: "start", type: "start" },
    {
      id: "route",
      type: "branch",
      conditions: [
        { handle: "c1", when: "=input.c1" },
        { handle: "c2", when: "=input.c2" },
        { handle: "c3", when: "=input.c3" },
      ],
    },
    step("A"),
    step("B"),
    step("C"),
    { id: "done", type: "end" },
  ],
  edges: [
    edge("e1", "start", "route"),
    edge("e2", "route", "A", "c1"),
    edge("e3", "route", "B", "c2"),
    edge("e4", "route", "A", "c3"),
    edge("e5", "route", "C", "else"),
    edge("e6", "A", "done"),
    edge("e7", "B", "done"),
    edge("e8", "C", "done"),
  ],
};

/**
 * A cycle with two entries (irreducible): route ─left→ a, route ─else→ b, a → check ─else→ b,
 * b → a; the way out is check ─stop→ done.
 */
export const IRREDUCIBLE: ShapeDocument = {
  name: "two-entries",
  nodes: [
    { id: "start", type: "start" },
    { id: "route", type: "branch", conditions: [{ handle: "left", when: "=input.left" }] },
    step("a"),
    step("b"),
    { id: "check", type: "branch", conditions: [{ handle: "stop", when: "=input.stop" }] },
    { id: "done", type: "end", result: "finished" },
  ],
  edges: [
    edge("e1", "start", "route"),
    edge("e2", "route", "a", "left"),
    edge("e3", "route", "b", "else"),
    edge("e4", "a", "check"),
    edge("e5", "check", "done", "stop"),
    edge("e6", "check", "b", "else"),
    edge("e7", "b", "a"),
  ],
};

/** Every shape by name. */
export const SHAPES: Record<string, ShapeDocument> = {
  sequence: SEQUENCE,
  diamond: DIAMOND,
  loop: LOOP,
  "error edge": ERROR_EDGE,
  "signal timeout": SIGNAL_TIMEOUT,
  interleaved: INTERLEAVED,
  irreducible: IRREDUCIBLE,
};
