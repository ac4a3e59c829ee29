// Workflow documents for engine tests, written as what they do rather than as JSON.

export type Doc = Record<string, any>;

/** A straight line of nodes: start → …nodes → (the last node). Edges follow the array order. */
export function line(name: string, nodes: Doc[], extraEdges: Doc[] = []): Doc {
  const all = [{ id: "start", type: "start" }, ...nodes];
  const edges = all.slice(1).map((n, i) => ({ id: `e${i + 1}`, source: all[i].id, target: n.id }));
  return { name, nodes: all, edges: [...edges, ...extraEdges] };
}

/**
 * A run that takes the signal "ping" at ping and pong in turn, for ever: each signal grows its
 * history by two events (the API and operate benchmarks drive it; run-window tests paint it).
 */
export const PING_PONG: Doc = line("bench-ping", [
  { id: "ping", type: "signal", signal: "ping" },
  { id: "pong", type: "signal", signal: "ping" },
], [{ id: "e3", source: "pong", target: "ping" }]);
PING_PONG.title = "Ping";
