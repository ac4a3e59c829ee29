"use client";
// The code view in a read-only Monaco: the selected node's blocks are highlighted and scrolled
// to; placing the cursor in a block selects its node. Loaded with next/dynamic, browser only.

import Editor, { type OnMount } from "@monaco-editor/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { nodeAtLine } from "../../../compiler/node-lines.ts";
import type { CodeEditorProps } from "./designer.tsx";
import { CODE_LANGUAGE, setUpMonaco, themeNow, type monaco as Monaco } from "./monaco-setup.ts";

setUpMonaco();

type CodeEditor = Monaco.editor.IStandaloneCodeEditor;

/** The theme, following the reader's colour scheme as it changes. */
function useTheme(): string {
  const [theme, setTheme] = useState(themeNow);
  useEffect(() => {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const update = () => setTheme(themeNow());
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return theme;
}

export { useTheme };

export default function CodeEditorView({ code, lines, selected, onSelect, label }: CodeEditorProps) {
  const editor = useRef<CodeEditor | null>(null);
  const decorations = useRef<Monaco.editor.IEditorDecorationsCollection | null>(null);
  const fromCursor = useRef(false);
  const linesRef = useRef(lines);
  linesRef.current = lines;
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const theme = useTheme();

  const onMount: OnMount = (ed) => {
    editor.current = ed as unknown as CodeEditor;
    decorations.current = editor.current.createDecorationsCollection([]);
    editor.current.onDidChangeCursorPosition((e) => {
      // Only a person's click or keys select a node, not the scroll that follows a selection.
      if (e.source !== "mouse" && e.source !== "keyboard") return;
      const id = nodeAtLine(linesRef.current, e.position.lineNumber);
      if (id) {
        fromCursor.current = true;
        onSelectRef.current(id);
      }
    });
    mark();
  };

  const mark = () => {
    const ed = editor.current;
    if (!ed || !decorations.current) return;
    const ranges = (selected && lines.get(selected)) || [];
    decorations.current.set(ranges.map((r) => ({ range: { startLineNumber: r.start, startColumn: 1, endLineNumber: r.end, endColumn: 1 }, options: { isWholeLine: true, className: "code-marked-line", linesDecorationsClassName: "code-marked-gutter" } })));
    if (ranges[0] && !fromCursor.current) ed.revealLinesInCenterIfOutsideViewport(ranges[0].start, ranges[0].end);
    // Nothing selected: the module from its first line.
    if (!selected) ed.setScrollTop(0);
    fromCursor.current = false;
  };

  useEffect(mark, [selected, lines, code]);

  // One object while the label stays: the editor re-reads its whole configuration whenever the
  // options prop is a new object, which would be at every render of the designer.
  const options = useMemo(
    () => ({
      readOnly: true,
      domReadOnly: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 12,
      lineNumbersMinChars: 3,
      ariaLabel: label,
      automaticLayout: true,
      renderLineHighlight: "none" as const,
      folding: false,
      renderFinalNewline: "off" as const,
    }),
    [label],
  );

  return (
    <div className="code-editor" data-selected-lines={selected ? (lines.get(selected) ?? []).map((r) => `${r.start}-${r.end}`).join(",") : ""}>
      <Editor
        value={code}
        language={CODE_LANGUAGE}
        theme={theme}
        onMount={onMount}
        loading={
          <pre className="code code-view" tabIndex={0} aria-label={label}>
            {code}
          </pre>
        }
        options={options}
      />
    </div>
  );
}
