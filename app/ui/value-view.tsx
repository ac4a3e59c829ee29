// A JSON value for a person to read, not JSON: text as text, objects as a list of named
// fields, lists as lists; deep or long values are cut, with the raw JSON one click away.

const MAX_DEPTH = 4;
const MAX_ITEMS = 50;

function Inner({ value, depth }: { value: unknown; depth: number }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  if (typeof value === "string") return value === "" ? <span className="muted">empty text</span> : <span className="value-text">{value}</span>;
  if (typeof value === "number" || typeof value === "boolean") return <span className="value-text">{String(value)}</span>;
  if (depth >= MAX_DEPTH) return <code>{JSON.stringify(value).slice(0, 200)}</code>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">an empty list</span>;
    return (
      <ol className="value-list">
        {value.slice(0, MAX_ITEMS).map((item, i) => (
          <li key={i}>
            <Inner value={item} depth={depth + 1} />
          </li>
        ))}
        {value.length > MAX_ITEMS ? <li className="muted">and {value.length - MAX_ITEMS} more</li> : null}
      </ol>
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span className="muted">no fields</span>;
  return (
    <dl className="value-fields">
      {entries.slice(0, MAX_ITEMS).map(([key, v]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>
            <Inner value={v} depth={depth + 1} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function ValueView({ value, label }: { value: unknown; label: string }) {
  const structured = value !== null && typeof value === "object";
  return (
    <div className="value">
      <Inner value={value} depth={0} />
      {structured ? (
        <details className="raw">
          <summary>{label} as JSON</summary>
          <pre>{JSON.stringify(value, null, 2)}</pre>
        </details>
      ) : null}
    </div>
  );
}
