// A small builder for indented TypeScript: generators say what to write, the writer owns the
// layout, so every module is formatted the same way.

import { LINE_WIDTH } from "./values.ts";

export class CodeWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text = ""): this {
    if (text === "") this.lines.push("");
    else for (const part of text.split("\n")) this.lines.push("  ".repeat(this.depth) + part);
    return this;
  }

  /** `head {` … `}` with the body indented; `tail` closes it (e.g. "} else {"). */
  block(head: string, body: () => void, tail = "}"): this {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    return this.line(tail);
  }

  indent(body: () => void): this {
    this.depth++;
    body();
    this.depth--;
    return this;
  }

  /** The lines written so far, without trailing blank lines, ending in one newline. */
  toString(): string {
    const lines = [...this.lines];
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    return lines.join("\n") + "\n";
  }

  /** What is left of the line width at the current indentation. */
  get width(): number {
    return LINE_WIDTH - 2 * this.depth;
  }
}
