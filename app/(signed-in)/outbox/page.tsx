// The outbox: what the demo plugins did outside Weft, so that a person trying Weft sees what a
// run did. `notify.email` sends no mail and `bank.transfer` moves no money: each writes what it
// would have done here, with the run it came from. Newest first, kept current by itself.
import Link from "next/link";
import type { OutboxEntry } from "../../../engine/views.ts";
import { outbox } from "../../lib/api/outbox.ts";
import { signedIn } from "../../lib/signed-in.ts";
import { runPath, withQuery } from "../../lib/paths.ts";
import { AutoRefresh } from "../../ui/auto-refresh.tsx";
import { LocalTime } from "../../ui/local-time.tsx";
import "../../operate.css";

export const metadata = { title: "Outbox" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function OutboxPage({ searchParams }: Props) {
  const query = await searchParams;
  const run = typeof query.run === "string" && /^[A-Za-z0-9._:-]{1,200}$/.test(query.run) ? query.run : undefined;
  await signedIn(withQuery("/outbox", { run }));
  const entries = await outbox({ limit: 200, ...(run ? { workflowId: run } : {}) });
  const mails = entries.filter((e) => e.kind === "email").length;
  return (
    <>
      <div className="page-head">
        <h1>Outbox</h1>
        <p className="muted">
          The e-mails and payments the demo activities would have sent{run ? (
            <>
              {" "}
              for the run <span className="mono">{run}</span> (<Link href="/outbox">show every run’s</Link>)
            </>
          ) : null}
          , newest first. Nothing here left this machine.
        </p>
      </div>
      {entries.length === 0 ? (
        <div className="empty">
          <h2>Nothing sent yet</h2>
          <p>
            When a run sends an e-mail (the step <code>notify.email</code>) or makes a payment (<code>bank.transfer</code>), it shows here. Try a{" "}
            <Link href="/workflows/money-transfer">money transfer</Link>.
          </p>
        </div>
      ) : (
        <>
          <p className="muted small">
            {[count(mails, "e-mail"), count(entries.length - mails, "payment")].filter(Boolean).join(", ")}
            {entries.length >= 200 ? " (the newest 200)" : ""}
          </p>
          <ul className="outbox" aria-label="E-mails and payments">
            {entries.map((e, i) => (
              <li key={i}>
                <Entry entry={e} />
              </li>
            ))}
          </ul>
        </>
      )}
      <AutoRefresh everyMs={5000} />
    </>
  );
}

/** "2 e-mails", "1 payment"; "" for none. */
function count(n: number, what: string): string {
  return n === 0 ? "" : `${n} ${what}${n === 1 ? "" : "s"}`;
}

function Entry({ entry }: { entry: OutboxEntry }) {
  const from = entry.workflowId ? (
    <>
      {" · run "}
      <Link href={runPath(entry.workflowId)} className="mono">
        {entry.workflowId}
      </Link>
      {entry.nodeId ? <span className="muted"> at {entry.nodeId}</span> : null}
    </>
  ) : null;
  if (entry.kind === "payment") {
    return (
      <article className="card outbox-entry" data-kind="payment" aria-label={`Payment of ${entry.amount} from ${entry.from} to ${entry.to}`}>
        <p className="outbox-head">
          <span className="outbox-kind">Payment</span>
          <strong className="outbox-amount">{entry.amount.toLocaleString("en")}</strong> from <span className="mono">{entry.from}</span> to{" "}
          <span className="mono">{entry.to}</span>
        </p>
        <p className="muted small">
          <LocalTime iso={entry.at} />
          {entry.id ? ` · ${entry.id}` : ""}
          {from}
        </p>
      </article>
    );
  }
  return (
    <article className="card outbox-entry" data-kind="email" aria-label={`E-mail to ${entry.to}: ${entry.subject}`}>
      <p className="outbox-head">
        <span className="outbox-kind">E-mail</span>
        <strong>{entry.subject || "(no subject)"}</strong> to <span className="mono">{entry.to}</span>
      </p>
      {entry.body ? <p className="outbox-body">{entry.body}</p> : null}
      <p className="muted small">
        <LocalTime iso={entry.at} />
        {from}
      </p>
    </article>
  );
}
