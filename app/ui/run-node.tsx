"use client";
// A node of a run's drawing: the designer's look (kind, name, its one telling detail, its named
// handles) with the run painted on it, in colour and in words: a badge with its state ("done in
// 1.2 s", "waiting to retry", "failed"), and, where the run is or broke, what it waits for or
// why it failed. Read only: its handles only anchor the connections. Memoised; the run canvas
// declares it in `nodeTypes` at module scope and hands it a new object only when its paint
// changes.

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { kindOf } from "../../designer/catalogue.ts";
import type { NodeData } from "../../designer/canvas.ts";
import { durationText, receivedText, stateWords, takenWhen, type ErrorInfo, type NodeState, type Wait } from "../../designer/run-paint.ts";
import { orList } from "../lib/present.ts";
import { detailOf, OutHandles } from "./designer/node-view.tsx";
import { KindIcon } from "./designer/icons.tsx";
import { LocalTime } from "./local-time.tsx";
import { ApprovalVotes } from "./run-votes.tsx";

/** What the run did at a node, as the node shows it. */
export interface RunMark {
  state: NodeState;
  durationMs?: number;
  visits: number;
  wait?: Wait;
  error?: ErrorInfo;
  /** How an approval was decided, or which signal came. */
  outcome?: string;
  /** The time now, for a countdown to the next attempt (only on a node that counts down: a run as it stands, not a frame of the scrubber). */
  now?: string;
  /** A held node, in plain words (lib/held-words.ts): what broke there, and what frees it. */
  held?: { short: string; free: string };
  /** Words that replace the wait's (the inbox says "waiting for your decision"). */
  note?: string;
}

export type RunNodeData = NodeData & { run?: RunMark; key?: string };
export type RunNode = Node<RunNodeData, "weft">;

function RunNodeImpl({ data, selected }: NodeProps<RunNode>) {
  const kind = kindOf(data.node.type);
  const detail = detailOf(data.node);
  const run = data.run;
  const state = run?.state ?? "not-reached";
  return (
    <div className={`wnode wnode-${data.node.type} rnode${selected ? " is-selected" : ""}`} data-state={run ? state : undefined}>
      {kind?.hasInput !== false ? <Handle type="target" position={Position.Top} className="whandle whandle-in" isConnectable={false} /> : null}
      <div className="wnode-head">
        <KindIcon name={kind?.icon ?? "gear"} />
        <span className="wnode-kind">{kind?.title ?? String(data.node.type)}</span>
        {run ? (
          <span className="rnode-state" data-state={state}>
            {stateWords(run)}
          </span>
        ) : null}
      </div>
      <div className="wnode-name">{data.name}</div>
      {detail ? <div className="wnode-detail">{detail}</div> : null}
      {run ? <RunLines run={run} /> : null}
      <OutHandles handles={data.handles} connectable={false} />
    </div>
  );
}

/** Whether the node has a callout beside it: what it waits for, or why it failed. */
export function hasCallout(run: RunMark): boolean {
  return run.note !== undefined || run.wait !== undefined || (run.state === "failed" && run.error !== undefined);
}

/**
 * How it went (a decision, the number of visits) on the node; what it waits for, or why it
 * failed, beside it, in a callout that takes no room from the drawing (a node that grew would
 * cover the one below it), its words cut short there (the node's details say all).
 */
function RunLines({ run }: { run: RunMark }) {
  const inside = [];
  if (run.state === "done" && run.outcome) inside.push(<span key="outcome">{run.outcome}</span>);
  if (run.visits > 1) inside.push(<span key="visits">{run.visits} visits</span>);
  const beside = [];
  if (run.note) beside.push(<span key="note">{run.note}</span>);
  else if (run.wait) beside.push(...waitLines(run.wait, run.now, run.held));
  if (run.state === "failed" && run.error) {
    beside.push(
      <span key="error" className="rnode-error">
        {run.error.type}: {run.error.message}
      </span>,
    );
  }
  return (
    <>
      {inside.length ? <div className="rnode-run">{inside}</div> : null}
      {beside.length ? (
        <div className="rnode-callout" data-state={run.state}>
          {beside}
        </div>
      ) : null}
    </>
  );
}

function waitLines(wait: Wait, now: string | undefined, held: RunMark["held"]) {
  switch (wait.kind) {
    case "activity": {
      const left = wait.nextAttemptAt && now ? Date.parse(wait.nextAttemptAt) - Date.parse(now) : undefined;
      return [
        <span key="attempt">
          <strong>
            attempt {wait.attempt}
            {wait.maxAttempts ? ` of ${wait.maxAttempts}` : ""}
          </strong>
          {wait.nextAttemptAt ? (
            left === undefined ? (
              <>
                {" · next retry at "}
                <LocalTime iso={wait.nextAttemptAt} style="time" />
              </>
            ) : left > 0 ? (
              ` · next retry in ${durationText(left)}`
            ) : (
              " · next retry due"
            )
          ) : wait.worker ? (
            ` · on ${wait.worker}`
          ) : (
            ""
          )}
        </span>,
        wait.lastError ? (
          <span key="error" className="rnode-error">
            last error: {wait.lastError.type}: {wait.lastError.message}
          </span>
        ) : null,
      ];
    }
    case "approval":
      if (wait.received) return received(wait.received);
      return [
        <span key="who">waiting for approval{wait.assignees.length ? ` by ${orList(wait.assignees)}` : ""}</span>,
        <span key="when">
          since <LocalTime iso={wait.since} style="time" />
          {wait.dueAt ? (
            <>
              , due <LocalTime iso={wait.dueAt} />
            </>
          ) : null}
        </span>,
        wait.quorum && wait.quorum > 1 ? (
          <span key="votes">
            <ApprovalVotes since={wait.since} quorum={wait.quorum} />
          </span>
        ) : null,
      ];
    case "timer":
      return [
        <span key="due">
          timer due at <LocalTime iso={wait.dueAt} />
        </span>,
      ];
    case "signal":
      if (wait.received) return received(wait.received);
      return [
        <span key="signal">waiting for the signal “{wait.signal}”</span>,
        <span key="since">
          since <LocalTime iso={wait.since} style="time" />
          {wait.dueAt ? (
            <>
              , until <LocalTime iso={wait.dueAt} />
            </>
          ) : null}
        </span>,
      ];
    case "held":
      return [
        <span key="reason" className="rnode-error">
          held: {held ? held.short : wait.reason}
        </span>,
        held ? <span key="free">{held.free}</span> : null,
      ];
  }
}

/** What a run was sent while it waited, and when it takes it. */
function received(r: NonNullable<Extract<Wait, { kind: "signal" }>["received"]>) {
  return [
    <span key="received">{receivedText(r)}</span>,
    <span key="when">
      at <LocalTime iso={r.at} style="time" />, {takenWhen(r)}
    </span>,
  ];
}

export const RunNodeView = memo(RunNodeImpl);
