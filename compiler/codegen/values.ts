// Printing values as TypeScript: literals as JSON, strings that begin with "=" as their checked
// expression, objects and arrays walked. Anything that fits in the line width stays on one
// line; otherwise one entry per line, the way Prettier lays code out. Printed text is relative
// to its first line's indentation: CodeWriter indents every line of it.

import type { Value } from "../document.ts";
import { isExpression } from "../expressions.ts";
import { propertyKey } from "./names.ts";

export const LINE_WIDTH = 100;

export function printValue(value: Value | undefined, expressions: ReadonlyMap<string, string>, width: number): string {
  if (value === undefined) return "undefined";
  if (isExpression(value)) {
    const code = expressions.get(value.slice(1));
    if (code === undefined) throw new Error(`internal: expression ${JSON.stringify(value)} was not checked`);
    return code;
  }
  if (Array.isArray(value)) return layoutArray(value.map((v) => printValue(v, expressions, width - 2)), width);
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((k) => {
        const printed = printValue(value[k], expressions, width - 2);
        return propertyKey(k) === printed ? printed : `${propertyKey(k)}: ${printed}`;
      });
    return layoutObject(entries, width);
  }
  return JSON.stringify(value);
}

/** `{ a: 1, b }` or one entry per line; entries are printed "key: value" or shorthand. */
export function layoutObject(entries: string[], width: number): string {
  if (entries.length === 0) return "{}";
  return layout("{ ", entries, " }", "{", "}", width);
}

export function layoutArray(items: string[], width: number): string {
  return layout("[", items, "]", "[", "]", width);
}

/** An object literal from already printed values, in the given key order. */
export function objectOf(fields: Record<string, string>, width: number): string {
  return layoutObject(Object.entries(fields).map(([k, v]) => (k === v ? k : `${propertyKey(k)}: ${v}`)), width);
}

/** An argument printed for a given width: printing it again narrower may break it over lines. */
export type Arg = string | ((width: number) => string);

/**
 * `callee(a, b)` on one line; else, as Prettier does, the last argument broken over lines when
 * it is an object and the others fit before it ("hugging"); else one argument per line.
 */
export function call(callee: string, args: Arg[], width: number): string {
  const at = (a: Arg, w: number) => (typeof a === "string" ? a : a(w));
  const flatArgs = args.map((a) => at(a, Number.MAX_SAFE_INTEGER));
  const flat = `${callee}(${flatArgs.join(", ")})`;
  if (flat.length <= width && !flat.includes("\n")) return flat;
  const head = `${callee}(${flatArgs.slice(0, -1).map((a) => `${a}, `).join("")}`;
  const last = flatArgs[flatArgs.length - 1];
  if (last !== undefined && /^[{[]/.test(last) && last.length > 2 && head.length + 2 <= width && !head.includes("\n")) {
    const hugged = at(args[args.length - 1], width - head.length - 1);
    if (hugged.includes("\n")) return `${head}${hugged})`;
  }
  return `${callee}(\n${args.map((a) => `${indent(at(a, width - 2))},`).join("\n")}\n)`;
}

function layout(open: string, items: string[], close: string, openLong: string, closeLong: string, width: number): string {
  if (items.length === 0) return `${openLong}${closeLong}`;
  const flat = `${open}${items.join(", ")}${close}`;
  if (flat.length <= width && !flat.includes("\n")) return flat;
  return `${openLong}\n${items.map((i) => `${indent(i)},`).join("\n")}\n${closeLong}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n");
}
