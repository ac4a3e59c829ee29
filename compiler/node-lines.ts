// Where each node's code is in a generated module, for the designer's code view (select a
// node, see its block; put the cursor in a block, select its node) and for mapping a run's
// position back to the drawing. Both targets tag each node's block with a comment line
// `// <id>` or `// <id>: <label>` (codegen/emit.ts nodeComment); a block runs from its tag to
// the next comment at its indentation or less, a blank line, or the end of what encloses it.
// Built here, once, for both targets.

export interface LineRange {
  /** 1-based, inclusive. */
  start: number;
  end: number;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

export function nodeLineRanges(code: string, nodeIds: Iterable<string>): Map<string, LineRange[]> {
  const ids = new Set(nodeIds);
  const lines = code.split("\n");
  const ranges = new Map<string, LineRange[]>();
  // The header comment names the workflow, which a node may share: tags come after the imports.
  const firstCode = lines.findIndex((l) => l.trim() !== "" && !l.trimStart().startsWith("//"));
  for (let i = Math.max(0, firstCode); i < lines.length; i++) {
    const id = tagOf(lines[i], ids);
    if (id === undefined) continue;
    const depth = indentOf(lines[i]);
    let end = i;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j];
      if (line.trim() === "") break;
      const d = indentOf(line);
      if (d < depth) break;
      if (d === depth && line.trimStart().startsWith("//")) break;
      end = j;
    }
    const list = ranges.get(id) ?? [];
    list.push({ start: i + 1, end: end + 1 });
    ranges.set(id, list);
  }
  return ranges;
}

function tagOf(line: string, ids: ReadonlySet<string>): string | undefined {
  const m = /^\s*\/\/ (.+)$/.exec(line);
  if (!m) return undefined;
  const text = m[1];
  if (ids.has(text)) return text;
  for (let at = text.indexOf(": "); at !== -1; at = text.indexOf(": ", at + 1)) {
    const id = text.slice(0, at);
    if (ids.has(id)) return id;
  }
  return undefined;
}

/** The node whose block holds a line: the innermost (shortest) range that contains it. */
export function nodeAtLine(ranges: ReadonlyMap<string, readonly LineRange[]>, line: number): string | undefined {
  let best: { id: string; size: number } | undefined;
  for (const [id, list] of ranges) {
    for (const r of list) {
      if (line < r.start || line > r.end) continue;
      const size = r.end - r.start;
      if (!best || size < best.size) best = { id, size };
    }
  }
  return best?.id;
}
