// The compiler's checks, read as a specification. Each test starts from a valid document, breaks
// one thing, and states exactly what is reported: the diagnostic's code, the id of the node or
// edge at fault (the document's name for document-level problems) and, where it applies, the
// field. A reported list is compared whole, so a check that starts reporting more (or less)
// than the problem it concerns shows up here.

import { describe, it, expect } from "vitest";
import { compile } from "../../compiler/compile.ts";
import { formatDiagnostic, type Diagnostic } from "../../compiler/diagnostics.ts";
import * as fs from "node:fs";
import * as path from "node:path";

type Doc = { name: string; title?: string; nodes: any[]; edges: any[] } & Record<string, any>;

const EXAMPLES = new URL("../../examples", import.meta.url).pathname;

function edge(id: string, source: string, target: string, sourceHandle?: string) {
  return sourceHandle === undefined ? { id, source, target } : { id, source, target, sourceHandle };
}

/** A copy of `doc` changed by `change`, so that every test starts from the same document. */
function changed(doc: Doc, change: (d: Doc) => void): Doc {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
}

function node(d: Doc, id: string): any {
  const n = d.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`test document has no node ${id}`);
  return n;
}

function removeNode(d: Doc, id: string): void {
  d.nodes = d.nodes.filter((n) => n.id !== id);
}

function removeEdge(d: Doc, id: string): void {
  const before = d.edges.length;
  d.edges = d.edges.filter((e) => e.id !== id);
  if (d.edges.length !== before - 1) throw new Error(`test document has no edge ${id}`);
}

function diagnosticsOf(doc: unknown): Diagnostic[] {
  const result = compile(doc);
  if (result.ok) throw new Error("expected the document to be rejected, but it compiled");
  return result.diagnostics;
}

/** What is reported, one "CODE id [field] [(detail)]" line per diagnostic, sorted. */
function reported(doc: unknown): string[] {
  return diagnosticsOf(doc)
    .map((d) => [d.code, d.id, d.field, d.detail && `(${d.detail})`].filter(Boolean).join(" "))
    .sort();
}

function expectValid(doc: unknown): void {
  const result = compile(doc);
  expect(result.ok ? [] : result.diagnostics.map(formatDiagnostic)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// The documents the tests break.

/** start → init → done: the smallest useful workflow. */
const SMALL: Doc = {
  name: "small",
  nodes: [
    { id: "start", type: "start" },
    { id: "init", type: "step", activity: "orders.init", input: { sku: "=input.sku", qty: 1 }, output: "order" },
    { id: "done", type: "end", result: { orderId: "=order.id" } },
  ],
  edges: [edge("e1", "start", "init"), edge("e2", "init", "done")],
};

/**
 * One node of every kind, each with all its handles wired:
 *
 *   start → route ─big→ review ─approved→ pay        review ─declined→ declined (end, failed)
 *                 └else──────────────────→ pay        review ─timeout──→ expired  (end, failed)
 *   pay ─error→ failed (end)    pay → ack (signal, 1h) → pause (timer) → done
 *                                     ack ─timeout────────────────────→ done
 */
const KIT: Doc = {
  name: "kit",
  nodes: [
    { id: "start", type: "start" },
    { id: "route", type: "branch", conditions: [{ handle: "big", when: "=input.amount > 100" }] },
    { id: "review", type: "approval", title: "Approve", timeout: "3d", output: "decision" },
    {
      id: "pay",
      type: "step",
      activity: "bank.transfer",
      input: { amount: "=input.amount" },
      output: "receipt",
      retry: { initialInterval: "1s", maximumInterval: "10s", maximumAttempts: 3 },
      timeout: "30s",
    },
    { id: "ack", type: "signal", signal: "ack", timeout: "1h", output: "ackPayload" },
    { id: "pause", type: "timer", duration: "5m" },
    { id: "done", type: "end", result: "=receipt" },
    { id: "failed", type: "end", status: "failed", error: "payment failed" },
    { id: "declined", type: "end", status: "failed", error: "=`declined by ${decision.by}`" },
    { id: "expired", type: "end", status: "failed", error: "approval timed out" },
  ],
  edges: [
    edge("e-start", "start", "route"),
    edge("e-route-big", "route", "review", "big"),
    edge("e-route-else", "route", "pay", "else"),
    edge("e-review-approved", "review", "pay", "approved"),
    edge("e-review-declined", "review", "declined", "declined"),
    edge("e-review-timeout", "review", "expired", "timeout"),
    edge("e-pay", "pay", "ack"),
    edge("e-pay-error", "pay", "failed", "error"),
    edge("e-ack", "ack", "pause"),
    edge("e-ack-timeout", "ack", "done", "timeout"),
    edge("e-pause", "pause", "done"),
  ],
};

describe("the documents these tests break", () => {
  it("are valid", () => {
    expectValid(SMALL);
    expectValid(KIT);
  });

  it("include the examples, which are valid", () => {
    for (const file of fs.readdirSync(EXAMPLES).filter((f) => f.endsWith(".json"))) {
      expectValid(JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), "utf8")));
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("exactly one start", () => {
  it("reports a document without a start under the document's name", () => {
    const doc = changed(SMALL, (d) => {
      removeNode(d, "start");
      removeEdge(d, "e1");
    });
    expect(reported(doc)).toEqual(["START_COUNT small"]);
  });

  it("reports a second start under its own id", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "start2", type: "start" });
      d.edges.push(edge("e3", "start2", "init"));
    });
    expect(reported(doc)).toEqual(["START_COUNT start2"]);
  });

  it("calls the same start the second one whatever the order of the nodes", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.unshift({ id: "start2", type: "start" });
      d.edges.push(edge("e3", "start2", "init"));
    });
    expect(reported(doc)).toEqual(["START_COUNT start2"]);
  });

  it("reports every extra start", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "start2", type: "start" }, { id: "start3", type: "start" });
      d.edges.push(edge("e3", "start2", "init"), edge("e4", "start3", "init"));
    });
    expect(reported(doc)).toEqual(["START_COUNT start2", "START_COUNT start3"]);
  });
});

describe("unique ids", () => {
  it("reports two nodes with the same id", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "init", type: "step", activity: "orders.other" });
    });
    expect(reported(doc)).toEqual(["DUPLICATE_ID init"]);
  });

  it("reports a node and an edge with the same id", () => {
    const doc = changed(SMALL, (d) => {
      d.edges[1].id = "init";
    });
    expect(reported(doc)).toEqual(["DUPLICATE_ID init"]);
  });

  it("reports two edges with the same id", () => {
    const doc = changed(SMALL, (d) => {
      d.edges[1].id = "e1";
    });
    expect(reported(doc)).toEqual(["DUPLICATE_ID e1"]);
  });
});

describe("edges point at nodes of the workflow", () => {
  it("reports an edge from an unknown node under the edge's id", () => {
    const doc = changed(SMALL, (d) => {
      d.edges.push(edge("e3", "ghost", "done"));
    });
    expect(reported(doc)).toEqual(["EDGE_UNKNOWN_SOURCE e3"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"ghost"');
  });

  it("reports an edge to an unknown node under the edge's id", () => {
    const doc = changed(SMALL, (d) => {
      d.edges.push(edge("e3", "init", "ghost", "error"));
    });
    expect(reported(doc)).toEqual(["EDGE_UNKNOWN_TARGET e3"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"ghost"');
  });

  it("reports the nodes that only an edge to an unknown node would have reached", () => {
    const doc = changed(SMALL, (d) => {
      d.edges[1].target = "ghost";
    });
    expect(reported(doc)).toEqual(["EDGE_UNKNOWN_TARGET e2", "UNREACHABLE done"]);
  });

  it("reports an edge into the start node", () => {
    const doc = changed(SMALL, (d) => {
      d.edges.push(edge("e3", "init", "start", "error"));
    });
    expect(reported(doc)).toEqual(["EDGE_INTO_START e3"]);
  });
});

describe("handles a node kind does not have", () => {
  it.each([
    ["a step with an \"approved\" edge", edge("x", "pay", "done", "approved")],
    ["a step with a \"timeout\" edge", edge("x", "pay", "done", "timeout")],
    ["an end with an outgoing edge", edge("x", "done", "pay")],
    ["a failed end with an \"error\" edge", edge("x", "failed", "pay", "error")],
    ["a branch with a handle that is not one of its conditions", edge("x", "route", "pay", "small")],
    ["an approval with a plain edge", edge("x", "review", "pay")],
    ["a timer with an \"error\" edge", edge("x", "pause", "done", "error")],
    ["a start with an \"error\" edge", edge("x", "start", "pay", "error")],
  ])("reports %s under the edge's id", (_what, extra) => {
    const doc = changed(KIT, (d) => {
      d.edges.push(extra);
    });
    expect(reported(doc)).toEqual(["HANDLE_UNKNOWN x"]);
  });

  it("reports a \"timeout\" edge of a signal that has no timeout", () => {
    const doc = changed(KIT, (d) => {
      delete node(d, "ack").timeout;
    });
    expect(reported(doc)).toEqual(["HANDLE_UNKNOWN e-ack-timeout"]);
  });

  it("reports a \"timeout\" edge of an approval that has no timeout", () => {
    const doc = changed(KIT, (d) => {
      delete node(d, "review").timeout;
    });
    // The node the timeout edge led to is still reached by it: the edge is only misplaced.
    expect(reported(doc)).toEqual(["HANDLE_UNKNOWN e-review-timeout"]);
  });
});

describe("required handles", () => {
  it("reports a branch without an \"else\" edge under the branch's id", () => {
    const doc = changed(KIT, (d) => removeEdge(d, "e-route-else"));
    expect(reported(doc)).toEqual(["HANDLE_MISSING route"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"else"');
  });

  it("reports a branch condition without an edge", () => {
    const doc = changed(KIT, (d) => {
      node(d, "route").conditions.push({ handle: "small", when: "=input.amount < 1" });
    });
    expect(reported(doc)).toEqual(["HANDLE_MISSING route"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"small"');
  });

  it("reports an approval with a timeout but no \"timeout\" edge", () => {
    const doc = changed(KIT, (d) => {
      removeEdge(d, "e-review-timeout");
      removeNode(d, "expired");
    });
    expect(reported(doc)).toEqual(["HANDLE_MISSING review"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"timeout"');
  });

  it("reports an approval without a \"declined\" edge", () => {
    const doc = changed(KIT, (d) => {
      removeEdge(d, "e-review-declined");
      removeNode(d, "declined");
    });
    expect(reported(doc)).toEqual(["HANDLE_MISSING review"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"declined"');
  });

  it("reports an approval without an \"approved\" edge", () => {
    const doc = changed(KIT, (d) => removeEdge(d, "e-review-approved"));
    expect(reported(doc)).toEqual(["HANDLE_MISSING review"]);
  });

  it("reports a signal with a timeout but no \"timeout\" edge", () => {
    const doc = changed(KIT, (d) => removeEdge(d, "e-ack-timeout"));
    expect(reported(doc)).toEqual(["HANDLE_MISSING ack"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"timeout"');
  });

  it("does not require an \"error\" edge on a step", () => {
    const doc = changed(KIT, (d) => {
      removeEdge(d, "e-pay-error");
      removeNode(d, "failed");
    });
    expectValid(doc);
  });
});

describe("one edge per handle", () => {
  it("reports the second of two edges from the same handle (in id order)", () => {
    const doc = changed(KIT, (d) => {
      d.edges.push(edge("z-dup", "pay", "failed"));
    });
    expect(reported(doc)).toEqual(["HANDLE_DUPLICATE z-dup"]);
  });

  it("reports the same edge whatever the order of the edges", () => {
    const doc = changed(KIT, (d) => {
      d.edges.unshift(edge("z-dup", "pay", "failed"));
    });
    expect(reported(doc)).toEqual(["HANDLE_DUPLICATE z-dup"]);
  });

  it("reports two edges from the same named handle", () => {
    const doc = changed(KIT, (d) => {
      d.edges.push(edge("z-dup", "review", "pay", "declined"));
    });
    expect(reported(doc)).toEqual(["HANDLE_DUPLICATE z-dup"]);
  });

  it("allows two handles to lead to the same node", () => {
    // ack → pause → done and ack ─timeout→ done already; here both of pay's handles meet.
    const doc = changed(KIT, (d) => {
      d.edges.find((e) => e.id === "e-pay-error")!.target = "ack";
      removeNode(d, "failed");
      node(d, "done").result = "paid"; // the receipt is not defined along the error edge
    });
    expectValid(doc);
  });
});

describe("reachability", () => {
  it("reports a node that cannot be reached from start", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "orphan", type: "step", activity: "orders.audit" });
      d.edges.push(edge("e3", "orphan", "done"));
    });
    expect(reported(doc)).toEqual(["UNREACHABLE orphan"]);
  });

  it("reports every node of an unreachable cycle", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "ping", type: "step", activity: "net.ping" }, { id: "pong", type: "timer", duration: "1s" });
      d.edges.push(edge("e3", "ping", "pong"), edge("e4", "pong", "ping"));
    });
    expect(reported(doc)).toEqual(["UNREACHABLE ping", "UNREACHABLE pong"]);
  });

  it("reports an unreachable end", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "spare", type: "end" });
    });
    expect(reported(doc)).toEqual(["UNREACHABLE spare"]);
  });
});

describe("every path reaches an end or loops", () => {
  it("reports a step with no outgoing edge as a dead end", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "audit", type: "step", activity: "orders.audit" });
      d.edges.push(edge("e3", "init", "audit", "error"));
    });
    expect(reported(doc)).toEqual(["DEAD_END audit"]);
  });

  it("reports a step whose only edge is its \"error\" edge as a dead end", () => {
    const doc = changed(SMALL, (d) => {
      d.edges[1].sourceHandle = "error";
      d.nodes[2].result = "done";
    });
    expect(reported(doc)).toEqual(["DEAD_END init"]);
  });

  it.each([
    ["timer", { type: "timer", duration: "1m" }],
    ["signal", { type: "signal", signal: "go" }],
  ])("reports a %s with no outgoing edge as a dead end", (_kind, fields) => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "stuck", ...fields });
      d.edges.push(edge("e3", "init", "stuck", "error"));
    });
    expect(reported(doc)).toEqual(["DEAD_END stuck"]);
  });

  it("reports a start with no outgoing edge", () => {
    const doc = { name: "empty", nodes: [{ id: "start", type: "start" }], edges: [] };
    expect(reported(doc)).toEqual(["DEAD_END start"]);
  });

  it("accepts a loop that never ends (a path that loops)", () => {
    const doc = {
      name: "forever",
      nodes: [
        { id: "start", type: "start" },
        { id: "tick", type: "step", activity: "clock.tick" },
        { id: "wait", type: "timer", duration: "1h" },
      ],
      edges: [edge("e1", "start", "tick"), edge("e2", "tick", "wait"), edge("e3", "wait", "tick")],
    };
    expectValid(doc);
  });
});

describe("names", () => {
  it.each(["Order Item", "order_item", "9lives", "-order", "Order"])("reports the document name %j under that name", (name) => {
    const doc = changed(SMALL, (d) => {
      d.name = name;
    });
    expect(reported(doc)).toEqual([`BAD_NAME ${name} name`]);
  });

  it("reports an empty document name under \"document\"", () => {
    const doc = changed(SMALL, (d) => {
      d.name = "";
    });
    expect(reported(doc)).toEqual(["BAD_NAME document name"]);
  });

  it("reports a missing document name under \"document\"", () => {
    const doc = changed(SMALL, (d) => {
      delete (d as Partial<Doc>).name;
    });
    expect(reported(doc)).toEqual(["SCHEMA document name"]);
  });

  it.each(["my-order", "9x", "a b", "order.id", ""])("reports the output variable name %j", (output) => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").output = output;
      node(d, "done").result = "ok";
    });
    expect(reported(doc)).toEqual(["BAD_NAME init output"]);
  });

  it.each(["input", "workflow", "ctx", "Math", "Date", "return", "await"])("reports the reserved output name %j", (output) => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").output = output;
      node(d, "done").result = "ok";
    });
    expect(reported(doc)).toEqual(["RESERVED_NAME init output"]);
  });

  it("reports a reserved output name on an approval and a signal", () => {
    const doc = changed(KIT, (d) => {
      node(d, "review").output = "workflow";
      node(d, "ack").output = "input";
      node(d, "declined").error = "declined";
    });
    expect(reported(doc)).toEqual(["RESERVED_NAME ack output", "RESERVED_NAME review output"]);
  });

  it("accepts output names of letters, digits and underscores", () => {
    for (const output of ["order", "order2", "_order", "orderId", "ORDER_ID"]) {
      const doc = changed(SMALL, (d) => {
        node(d, "init").output = output;
        node(d, "done").result = `=${output}`;
      });
      expectValid(doc);
    }
  });
});

describe("durations", () => {
  const places: [string, string, (d: Doc, value: string) => void][] = [
    ["a step timeout", "pay timeout", (d, v) => (node(d, "pay").timeout = v)],
    ["a timer duration", "pause duration", (d, v) => (node(d, "pause").duration = v)],
    ["a retry initialInterval", "pay retry.initialInterval", (d, v) => (node(d, "pay").retry = { initialInterval: v })],
    ["a retry maximumInterval", "pay retry.maximumInterval", (d, v) => (node(d, "pay").retry = { initialInterval: "1ms", maximumInterval: v })],
    ["an approval timeout", "review timeout", (d, v) => (node(d, "review").timeout = v)],
    ["a signal timeout", "ack timeout", (d, v) => (node(d, "ack").timeout = v)],
  ];
  const bad = ["10 sec", "P", "PT", "5x", "10", "s", "1.5s", "-5s", "P1M", "P1Y", "PT1H2", "", "10S"];

  for (const [where, expected, set] of places) {
    it.each(bad)(`reports %j in ${where}, once`, (value) => {
      const doc = changed(KIT, (d) => set(d, value));
      expect(reported(doc)).toEqual([`BAD_DURATION ${expected}`]);
    });
  }

  it.each(["500ms", "10s", "5m", "2h", "7d", "PT10S", "P7D", "P1DT2H30M", "PT0.5S", "P2W"])("accepts %j", (value) => {
    for (const [, , set] of places) expectValid(changed(KIT, (d) => set(d, value)));
  });

  it("reports a zero timeout, but accepts a zero timer", () => {
    expect(reported(changed(KIT, (d) => (node(d, "pay").timeout = "0s")))).toEqual(["BAD_DURATION pay timeout"]);
    expect(reported(changed(KIT, (d) => (node(d, "review").timeout = "PT0S")))).toEqual(["BAD_DURATION review timeout"]);
    expectValid(changed(KIT, (d) => (node(d, "pause").duration = "0s")));
  });

  it("reports a retry maximumInterval shorter than its initialInterval", () => {
    const doc = changed(KIT, (d) => {
      node(d, "pay").retry = { initialInterval: "10s", maximumInterval: "5s" };
    });
    expect(reported(doc)).toEqual(["BAD_DURATION pay retry.maximumInterval"]);
  });

  it("compares retry intervals by length, not by how they are written", () => {
    expect(reported(changed(KIT, (d) => (node(d, "pay").retry = { initialInterval: "PT1M", maximumInterval: "59s" })))).toEqual([
      "BAD_DURATION pay retry.maximumInterval",
    ]);
    expectValid(changed(KIT, (d) => (node(d, "pay").retry = { initialInterval: "PT1M", maximumInterval: "60s" })));
  });

  it("compares a retry maximumInterval with the default initialInterval of 1s", () => {
    const doc = changed(KIT, (d) => {
      node(d, "pay").retry = { maximumInterval: "500ms" };
    });
    expect(reported(doc)).toEqual(["BAD_DURATION pay retry.maximumInterval"]);
    expectValid(changed(KIT, (d) => (node(d, "pay").retry = { maximumInterval: "1s" })));
  });
});

describe("activity names", () => {
  it.each(["orders..init", "9x", "a b", ".init", "orders.", "orders.9init", "orders/init", ""])("reports %j", (activity) => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").activity = activity;
    });
    expect(reported(doc)).toEqual(["BAD_ACTIVITY_NAME init activity"]);
  });

  it.each(["orders.init", "billing.computeStatement", "notify_email-v2", "a.b.c", "x"])("accepts %j", (activity) => {
    expectValid(changed(SMALL, (d) => (node(d, "init").activity = activity)));
  });
});

describe("the document's shape (JSON Schema)", () => {
  it("reports a step without an activity, naming the missing field", () => {
    const doc = changed(SMALL, (d) => {
      delete node(d, "init").activity;
    });
    expect(reported(doc)).toEqual(["SCHEMA init activity"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"activity"');
  });

  it("reports a signal without a signal name", () => {
    const doc = changed(KIT, (d) => {
      delete node(d, "ack").signal;
    });
    expect(reported(doc)).toEqual(["SCHEMA ack signal"]);
  });

  it("reports a branch without conditions", () => {
    const doc = changed(SMALL, (d) => {
      d.nodes.push({ id: "gate", type: "branch" });
      d.edges[1].target = "gate";
      d.edges.push(edge("e3", "gate", "done", "else"));
    });
    expect(reported(doc)).toEqual(["SCHEMA gate conditions"]);
  });

  it("reports an unknown field of a node, naming it", () => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").colour = "red";
    });
    expect(reported(doc)).toEqual(["SCHEMA init colour"]);
    expect(diagnosticsOf(doc)[0].message).toContain('"colour"');
  });

  it("reports an unknown field of an edge, naming it", () => {
    const doc = changed(SMALL, (d) => {
      d.edges[0].weight = 3;
    });
    expect(reported(doc)).toEqual(["SCHEMA e1 weight"]);
  });

  it("reports an unknown field of a retry policy", () => {
    const doc = changed(KIT, (d) => {
      node(d, "pay").retry.attempts = 3;
    });
    expect(reported(doc)).toEqual(["SCHEMA pay retry.attempts"]);
  });

  it("reports a timer with both a duration and an until, once", () => {
    const doc = changed(KIT, (d) => {
      node(d, "pause").until = "=workflow.now";
    });
    expect(reported(doc)).toEqual(["SCHEMA pause"]);
  });

  it("reports a timer with neither a duration nor an until, once", () => {
    const doc = changed(KIT, (d) => {
      delete node(d, "pause").duration;
    });
    expect(reported(doc)).toEqual(["SCHEMA pause"]);
  });

  it("reports a wrongly typed field", () => {
    const doc = changed(KIT, (d) => {
      node(d, "pay").retry.maximumAttempts = "three";
    });
    expect(reported(doc)).toEqual(["SCHEMA pay retry.maximumAttempts"]);
  });

  it("reports an end status that is not completed or failed", () => {
    const doc = changed(KIT, (d) => {
      node(d, "failed").status = "error";
    });
    expect(reported(doc)).toEqual(["SCHEMA failed status"]);
  });

  it("reports a branch condition named \"else\"", () => {
    const doc = changed(KIT, (d) => {
      node(d, "route").conditions[0].handle = "else";
    });
    // The condition's handle is refused; the branch's "big" edge no longer matches a condition.
    expect(reported(doc)).toEqual(["HANDLE_UNKNOWN e-route-big", "SCHEMA route conditions[0].handle"]);
  });

  it("reports a branch condition that is not an expression", () => {
    const doc = changed(KIT, (d) => {
      node(d, "route").conditions[0].when = "input.amount > 100";
    });
    expect(reported(doc)).toEqual(["SCHEMA route conditions[0].when"]);
  });

  it("reports a node of an unknown type under its id, without crashing", () => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").type = "stepp";
    });
    expect(reported(doc)).toContain("SCHEMA init type");
  });

  it("reports a node of an unknown type once, as the root cause: not its edges, nor the nodes after it as unreachable", () => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").type = "email";
    });
    expect(reported(doc)).toEqual(["SCHEMA init type"]);
    // An unknown id is still reported where an edge names it.
    const ghost = changed(doc, (d) => {
      d.edges.push(edge("e3", "ghost", "done"));
    });
    expect(reported(ghost)).toEqual(["EDGE_UNKNOWN_SOURCE e3", "SCHEMA init type"]);
  });

  it("reports an edge without a target under its id", () => {
    const doc = changed(SMALL, (d) => {
      delete d.edges[1].target;
    });
    expect(reported(doc)).toContain("SCHEMA e2 target");
  });

  it("reports a document that is not an object", () => {
    for (const raw of [null, 42, "doc", []]) expect(reported(raw)).toEqual(["SCHEMA document"]);
  });

  it("reports missing node and edge lists", () => {
    expect(reported({ name: "bare" })).toEqual(["SCHEMA bare edges", "SCHEMA bare nodes"]);
  });

  it("reports an inputSchema that is not a JSON Schema", () => {
    const doc = changed(SMALL, (d) => {
      d.inputSchema = { type: "objekt" };
    });
    expect(reported(doc)).toEqual(["BAD_INPUT_SCHEMA small inputSchema"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Scope: a node may use an output variable only if every path from start to it defines it.

describe("variables defined on every path (must-define analysis)", () => {
  /**
   * start → route ─big→ lookup (output rate) → join → done
   *               └else─────────────────────↗
   */
  const DIAMOND: Doc = {
    name: "diamond",
    nodes: [
      { id: "start", type: "start" },
      { id: "route", type: "branch", conditions: [{ handle: "big", when: "=input.amount > 100" }] },
      { id: "lookup", type: "step", activity: "rates.lookup", output: "rate" },
      { id: "plain", type: "step", activity: "rates.default" },
      { id: "join", type: "step", activity: "orders.price", input: { rate: "=rate" } },
      { id: "done", type: "end" },
    ],
    edges: [
      edge("e1", "start", "route"),
      edge("e2", "route", "lookup", "big"),
      edge("e3", "route", "plain", "else"),
      edge("e4", "lookup", "join"),
      edge("e5", "plain", "join"),
      edge("e6", "join", "done"),
    ],
  };

  it("reports a variable defined on only one arm of a branch, where the arms meet", () => {
    expect(reported(DIAMOND)).toEqual(["EXPRESSION join input.rate (EXPR_UNKNOWN_VARIABLE)"]);
    const [d] = diagnosticsOf(DIAMOND);
    expect(d.message).toContain('"rate"');
    expect(d.message).toContain("rate"); // the fragment
  });

  it("allows the variable on the arm that defines it", () => {
    const doc = changed(DIAMOND, (d) => {
      node(d, "join").input = "ok";
      node(d, "lookup").input = "=input.amount";
      node(d, "done").result = "=input";
    });
    expectValid(doc);
    const usesOnArm = changed(DIAMOND, (d) => {
      node(d, "join").input = "ok";
      d.nodes.push({ id: "use", type: "step", activity: "rates.use", input: "=rate.value" });
      d.edges.find((e) => e.id === "e4")!.target = "use";
      d.edges.push(edge("e7", "use", "join"));
    });
    expectValid(usesOnArm);
  });

  it("allows a variable that both arms define, after they meet", () => {
    const doc = changed(DIAMOND, (d) => {
      node(d, "plain").output = "rate";
    });
    expectValid(doc);
  });

  it("allows a variable defined before a branch, after the arms meet", () => {
    const doc = changed(DIAMOND, (d) => {
      node(d, "join").input = "=quote";
      d.nodes.push({ id: "quote", type: "step", activity: "rates.quote", output: "quote" });
      d.edges.find((e) => e.id === "e1")!.target = "quote";
      d.edges.push(edge("e0", "quote", "route"));
    });
    expectValid(doc);
  });

  it("reports a variable out of scope in one compile after accepting the same text where it was in scope in an earlier one", () => {
    // Compiles remember accepted expressions by their text (the designer compiles at every
    // keystroke); that answer holds only where the variables the text reads are in scope.
    const onArm = changed(DIAMOND, (d) => {
      node(d, "join").input = "ok";
      d.nodes.push({ id: "use", type: "step", activity: "rates.use", input: "=rate.total * 2" });
      d.edges.find((e) => e.id === "e4")!.target = "use";
      d.edges.push(edge("e7", "use", "join"));
    });
    expectValid(onArm);
    const outOfScope = changed(DIAMOND, (d) => {
      node(d, "join").input = "=rate.total * 2";
    });
    expect(reported(outOfScope)).toEqual(["EXPRESSION join input (EXPR_UNKNOWN_VARIABLE)"]);
  });

  it("reports a variable that no node defines", () => {
    const doc = changed(SMALL, (d) => {
      node(d, "done").result = "=invoice.id";
    });
    expect(reported(doc)).toEqual(["EXPRESSION done result (EXPR_UNKNOWN_VARIABLE)"]);
  });

  it("reports a variable used by the node that defines it (it is defined after it runs)", () => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").input = "=order";
    });
    expect(reported(doc)).toEqual(["EXPRESSION init input (EXPR_UNKNOWN_VARIABLE)"]);
  });

  it("reports a variable used before the node that defines it", () => {
    const doc = {
      name: "before",
      nodes: [
        { id: "start", type: "start" },
        { id: "first", type: "step", activity: "a.first", input: "=later" },
        { id: "second", type: "step", activity: "a.second", output: "later" },
        { id: "done", type: "end", result: "=later" },
      ],
      edges: [edge("e1", "start", "first"), edge("e2", "first", "second"), edge("e3", "second", "done")],
    };
    expect(reported(doc)).toEqual(["EXPRESSION first input (EXPR_UNKNOWN_VARIABLE)"]);
  });

  describe("a step's output is not defined along its \"error\" edge", () => {
    /** start → charge (output receipt) → done; charge ─error→ report → failed */
    const CHARGE: Doc = {
      name: "charge",
      nodes: [
        { id: "start", type: "start" },
        { id: "charge", type: "step", activity: "bank.charge", output: "receipt" },
        { id: "report", type: "step", activity: "ops.report", input: { order: "=input.orderId" } },
        { id: "done", type: "end", result: "=receipt" },
        { id: "failed", type: "end", status: "failed", error: "charge failed" },
      ],
      edges: [
        edge("e1", "start", "charge"),
        edge("e2", "charge", "done"),
        edge("e3", "charge", "report", "error"),
        edge("e4", "report", "failed"),
      ],
    };

    it("is defined along the success edge", () => {
      expectValid(CHARGE);
    });

    it("is reported when used after the error edge", () => {
      const doc = changed(CHARGE, (d) => {
        node(d, "report").input = { receipt: "=receipt.id" };
      });
      expect(reported(doc)).toEqual(["EXPRESSION report input.receipt (EXPR_UNKNOWN_VARIABLE)"]);
    });

    it("is reported further down the error path too", () => {
      const doc = changed(CHARGE, (d) => {
        node(d, "failed").error = "=`charge ${receipt.id} failed`";
      });
      expect(reported(doc)).toEqual(["EXPRESSION failed error (EXPR_UNKNOWN_VARIABLE)"]);
    });

    it("is reported where the success and error paths meet", () => {
      const doc = changed(CHARGE, (d) => {
        d.edges.find((e) => e.id === "e4")!.target = "done";
        removeNode(d, "failed");
      });
      expect(reported(doc)).toEqual(["EXPRESSION done result (EXPR_UNKNOWN_VARIABLE)"]);
    });

    it("is reported when both handles lead to the same node", () => {
      const doc = changed(CHARGE, (d) => {
        d.edges.find((e) => e.id === "e3")!.target = "done";
        removeNode(d, "report");
        removeNode(d, "failed");
        removeEdge(d, "e4");
      });
      expect(reported(doc)).toEqual(["EXPRESSION done result (EXPR_UNKNOWN_VARIABLE)"]);
    });
  });

  it("does not define an approval's decision or a signal's payload along their \"timeout\" edges", () => {
    const doc = changed(KIT, (d) => {
      node(d, "expired").error = "=`no decision: ${decision.comment}`";
      node(d, "done").result = { receipt: "=receipt", ack: "=ackPayload" };
    });
    expect(reported(doc)).toEqual([
      "EXPRESSION done result.ack (EXPR_UNKNOWN_VARIABLE)",
      "EXPRESSION expired error (EXPR_UNKNOWN_VARIABLE)",
    ]);
  });

  it("defines an approval's decision along both \"approved\" and \"declined\"", () => {
    // KIT's declined end already reads decision.by; pay, reached by "approved" or by the branch's
    // else, does not have it on every path.
    expectValid(KIT);
    const doc = changed(KIT, (d) => {
      node(d, "pay").input = { amount: "=input.amount", by: "=decision.by" };
    });
    expect(reported(doc)).toEqual(["EXPRESSION pay input.by (EXPR_UNKNOWN_VARIABLE)"]);
  });

  describe("loops", () => {
    /** do-while: start → fetch (output page) → more ─again→ pause → fetch; more ─else→ done */
    const PAGES: Doc = {
      name: "pages",
      nodes: [
        { id: "start", type: "start" },
        { id: "fetch", type: "step", activity: "api.fetch", input: { cursor: "=input.cursor" }, output: "page" },
        { id: "more", type: "branch", conditions: [{ handle: "again", when: "=page.hasMore" }] },
        { id: "pause", type: "timer", duration: "1m" },
        { id: "done", type: "end", result: "=page.items" },
      ],
      edges: [
        edge("e1", "start", "fetch"),
        edge("e2", "fetch", "more"),
        edge("e3", "more", "pause", "again"),
        edge("e4", "pause", "fetch"),
        edge("e5", "more", "done", "else"),
      ],
    };

    it("allows a variable the loop body defines before every exit, inside and after the loop", () => {
      expectValid(PAGES);
    });

    it("allows monthly-statements, whose loop body defines and then uses its statement", () => {
      expectValid(JSON.parse(fs.readFileSync(path.join(EXAMPLES, "monthly-statements.json"), "utf8")));
    });

    it("allows a variable defined before the loop, inside the loop", () => {
      const doc = changed(PAGES, (d) => {
        d.nodes.push({ id: "auth", type: "step", activity: "api.login", output: "token" });
        d.edges.find((e) => e.id === "e1")!.target = "auth";
        d.edges.push(edge("e0", "auth", "fetch"));
        node(d, "fetch").input = { cursor: "=input.cursor", token: "=token" };
      });
      expectValid(doc);
    });

    it("reports a variable the loop head uses but only the rest of the body defines (the first time round it is not)", () => {
      const doc = changed(PAGES, (d) => {
        node(d, "fetch").input = { cursor: "=page.next" };
      });
      expect(reported(doc)).toEqual(["EXPRESSION fetch input.cursor (EXPR_UNKNOWN_VARIABLE)"]);
    });

    /** while: start → more ─again→ fetch (output page) → more; more ─else→ done */
    const WHILE: Doc = {
      name: "while-loop",
      nodes: [
        { id: "start", type: "start" },
        { id: "more", type: "branch", conditions: [{ handle: "again", when: "=input.count > 0" }] },
        { id: "fetch", type: "step", activity: "api.fetch", output: "page" },
        { id: "done", type: "end", result: "=page" },
      ],
      edges: [edge("e1", "start", "more"), edge("e2", "more", "fetch", "again"), edge("e3", "fetch", "more"), edge("e4", "more", "done", "else")],
    };

    it("reports a variable defined inside a loop that may run zero times, used after it", () => {
      expect(reported(WHILE)).toEqual(["EXPRESSION done result (EXPR_UNKNOWN_VARIABLE)"]);
    });

    it("reports it at the loop's test too, which runs before the body the first time", () => {
      const doc = changed(WHILE, (d) => {
        node(d, "more").conditions[0].when = "=page.hasMore";
        node(d, "done").result = "finished";
      });
      expect(reported(doc)).toEqual(["EXPRESSION more conditions[0].when (EXPR_UNKNOWN_VARIABLE)"]);
    });

    it("allows it once a node before the loop defines it too", () => {
      const doc = changed(WHILE, (d) => {
        d.nodes.push({ id: "first", type: "step", activity: "api.fetch", output: "page" });
        d.edges.find((e) => e.id === "e1")!.target = "first";
        d.edges.push(edge("e0", "first", "more"));
      });
      expectValid(doc);
    });

    it("reports a variable defined on a loop's exit path only when the loop can be left another way", () => {
      // more ─again→ fetch → check ─stop→ done; check ─else→ more; more ─else→ done.
      // done is reached from check (after fetch) or straight from more (before any fetch).
      const doc: Doc = {
        name: "two-exits",
        nodes: [
          { id: "start", type: "start" },
          { id: "more", type: "branch", conditions: [{ handle: "again", when: "=input.count > 0" }] },
          { id: "fetch", type: "step", activity: "api.fetch", output: "page" },
          { id: "check", type: "branch", conditions: [{ handle: "stop", when: "=page.last" }] },
          { id: "done", type: "end", result: "=page" },
        ],
        edges: [
          edge("e1", "start", "more"),
          edge("e2", "more", "fetch", "again"),
          edge("e3", "fetch", "check"),
          edge("e4", "check", "done", "stop"),
          edge("e5", "check", "more", "else"),
          edge("e6", "more", "done", "else"),
        ],
      };
      expect(reported(doc)).toEqual(["EXPRESSION done result (EXPR_UNKNOWN_VARIABLE)"]);
      const onlyExit = changed(doc, (d) => {
        d.edges.find((e) => e.id === "e6")!.target = "fallback";
        d.nodes.push({ id: "fallback", type: "end" });
      });
      expectValid(onlyExit);
    });
  });

  it("reports every node that uses a variable out of scope, each under its own id", () => {
    const doc = changed(DIAMOND, (d) => {
      node(d, "done").result = { rate: "=rate", again: "=rate.value" };
    });
    expect(reported(doc)).toEqual([
      "EXPRESSION done result.again (EXPR_UNKNOWN_VARIABLE)",
      "EXPRESSION done result.rate (EXPR_UNKNOWN_VARIABLE)",
      "EXPRESSION join input.rate (EXPR_UNKNOWN_VARIABLE)",
    ]);
  });

  it("always has input and workflow in scope", () => {
    const doc = changed(SMALL, (d) => {
      node(d, "init").input = { sku: "=input.sku", at: "=workflow.now", id: "=workflow.id" };
    });
    expectValid(doc);
  });
});

// ---------------------------------------------------------------------------------------------

describe("all errors at once", () => {
  /** Five problems, in five places. */
  const BROKEN: Doc = changed(SMALL, (d) => {
    d.name = "Broken Doc"; // bad name
    node(d, "init").timeout = "10 sec"; // bad duration
    d.nodes.push({ id: "notify", type: "step", activity: "notify..email" }); // bad activity name…
    d.edges.push(edge("e3", "init", "notify", "error"), edge("e4", "notify", "done"));
    d.nodes.push({ id: "orphan", type: "timer", duration: "1m" }); // unreachable
    d.edges.push(edge("e5", "orphan", "done"));
    node(d, "done").result = { orderId: "=order.id" }; // order is not defined after init's error edge
  });

  it("reports every problem, each under its own id", () => {
    expect(reported(BROKEN)).toEqual([
      "BAD_ACTIVITY_NAME notify activity",
      "BAD_DURATION init timeout",
      "BAD_NAME Broken Doc name",
      "EXPRESSION done result.orderId (EXPR_UNKNOWN_VARIABLE)",
      "UNREACHABLE orphan",
    ]);
  });

  it("reports them whatever the order of nodes and edges", () => {
    const reversed = changed(BROKEN, (d) => {
      d.nodes.reverse();
      d.edges.reverse();
    });
    expect(reported(reversed)).toEqual(reported(BROKEN));
  });

  it("gives each diagnostic a message and an id of the document", () => {
    const ids = new Set([...BROKEN.nodes.map((n) => n.id), ...BROKEN.edges.map((e) => e.id), BROKEN.name]);
    for (const d of diagnosticsOf(BROKEN)) {
      expect(ids.has(d.id)).toBe(true);
      expect(d.message.length).toBeGreaterThan(0);
    }
  });

  it("prints one ERROR line per diagnostic, as `weft compile` does", () => {
    const lines = diagnosticsOf(BROKEN).map(formatDiagnostic);
    expect(lines).toHaveLength(5);
    expect(lines).toContainEqual(expect.stringMatching(/^ERROR orphan /));
    expect(lines).toContainEqual(expect.stringMatching(/^ERROR init timeout: /));
  });
});

describe("nothing is emitted when there are errors", () => {
  it.each(["weft", "temporal"] as const)("for the %s target", (target) => {
    const result = compile(changed(SMALL, (d) => (node(d, "init").activity = "orders..init")), { target });
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty("code");
    expect(result).not.toHaveProperty("hash");
    expect(Object.keys(result).sort()).toEqual(["diagnostics", "ok"]);
  });
});

describe("names reserved by the engine", () => {
  it("refuses a signal node waiting for approve or decline, which decide approvals", async () => {
    const { compile } = await import("../../compiler/compile.ts");
    const doc = {
      name: "waits",
      nodes: [
        { id: "start", type: "start" },
        { id: "wait", type: "signal", signal: "approve" },
        { id: "done", type: "end" },
      ],
      edges: [
        { id: "e1", source: "start", target: "wait" },
        { id: "e2", source: "wait", target: "done" },
      ],
    };
    const result = compile(doc);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics).toEqual([expect.objectContaining({ code: "RESERVED_NAME", id: "wait", field: "signal" })]);
  });
});
