// `?` placeholders (what SQLite takes) to `$1, $2, …` (what PostgreSQL takes). Question marks
// inside quoted strings, quoted identifiers and comments are left alone. Results are cached:
// the engine sends the same few statements over and over.
const cache = new Map<string, string>();
const prepared = new Map<string, string>();

/**
 * Marks a statement (its exact text) to be prepared once per connection on PostgreSQL and
 * executed by name from then on: for the few large statements on the hot path, whose planning
 * costs more than their round trip. Returns the text. SQLite prepares every statement anyway.
 */
export function preparedStatement(name: string, sql: string): string {
  prepared.set(sql, name);
  return sql;
}

/** The name a statement was prepared under, if it was marked. */
export function preparedName(sql: string): string | undefined {
  return prepared.get(sql);
}
const CACHE_LIMIT = 1000;

export function toDollarPlaceholders(sql: string): string {
  const hit = cache.get(sql);
  if (hit !== undefined) return hit;
  const out = translate(sql);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(sql, out);
  return out;
}

function translate(sql: string): string {
  let out = "";
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // a quoted string or identifier; a doubled quote is an escaped quote
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const j = end === -1 ? sql.length : end;
      out += sql.slice(i, j);
      i = j;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      const j = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, j);
      i = j;
    } else if (c === "?") {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
