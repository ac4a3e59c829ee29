"use client";
// An expression in a small Monaco: TypeScript's colours, completion of what is in scope at the
// node (input's fields, the variables defined on every path here, workflow's fields, the
// helpers), and the compiler's problems as markers while typing.

import Editor, { type OnMount } from "@monaco-editor/react";
import { useEffect, useMemo, useRef } from "react";
import type { ScopeNames } from "../../../designer/scope.ts";
import type { ExpressionEditorProps } from "./editors.ts";
import { useTheme } from "./code-editor.tsx";
import { monaco, setUpMonaco } from "./monaco-setup.ts";
import { conf, language } from "monaco-editor/languages/definitions/typescript/typescript";

const LANGUAGE = "weft-expression";
const scopes = new Map<string, () => ScopeNames>();

function register() {
  setUpMonaco();
  if (monaco.languages.getLanguages().some((l) => l.id === LANGUAGE)) return;
  monaco.languages.register({ id: LANGUAGE });
  monaco.languages.setMonarchTokensProvider(LANGUAGE, language);
  monaco.languages.setLanguageConfiguration(LANGUAGE, conf);
  monaco.languages.registerCompletionItemProvider(LANGUAGE, {
    triggerCharacters: ["."],
    provideCompletionItems(model, position) {
      const scope = scopes.get(model.uri.toString())?.();
      if (!scope) return { suggestions: [] };
      const word = model.getWordUntilPosition(position);
      const range = { startLineNumber: position.lineNumber, endLineNumber: position.lineNumber, startColumn: word.startColumn, endColumn: word.endColumn };
      const before = model.getValueInRange({ startLineNumber: position.lineNumber, startColumn: 1, endLineNumber: position.lineNumber, endColumn: word.startColumn });
      const K = monaco.languages.CompletionItemKind;
      const item = (label: string, kind: number, detail: string) => ({ label, kind, detail, insertText: label, range });
      if (/\binput\.$/.test(before)) return { suggestions: scope.input.map((f) => item(f, K.Field, "a field of the run's input")) };
      if (/\bworkflow\.$/.test(before)) return { suggestions: scope.workflow.map((f) => item(f, K.Field, "of this run")) };
      if (/\bMath\.$/.test(before)) return { suggestions: scope.math.map((f) => item(f, K.Function, "Math")) };
      if (/\.$/.test(before)) return { suggestions: [] };
      return {
        suggestions: [
          item("input", K.Variable, "the run's input"),
          item("workflow", K.Variable, "id, runId, startedAt, now"),
          ...scope.variables.map((v) => item(v, K.Variable, "defined on every path to here")),
          ...scope.helpers.map((h) => item(h, K.Function, "helper")),
        ],
      };
    },
  });
}

export default function ExpressionEditor({ label, value, disabled, onChange, problems, scope }: ExpressionEditorProps) {
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const theme = useTheme();
  const scopeRef = useRef(scope);
  scopeRef.current = scope;
  register();

  const onMount: OnMount = (ed) => {
    editor.current = ed as unknown as monaco.editor.IStandaloneCodeEditor;
    const uri = editor.current.getModel()?.uri.toString();
    if (uri) scopes.set(uri, () => scopeRef.current());
    editor.current.onDidDispose(() => uri && scopes.delete(uri));
    mark();
  };

  const mark = () => {
    const model = editor.current?.getModel();
    if (!model) return;
    const last = model.getLineCount();
    monaco.editor.setModelMarkers(
      model,
      "weft",
      problems.map((message) => ({ severity: monaco.MarkerSeverity.Error, message, startLineNumber: 1, startColumn: 1, endLineNumber: last, endColumn: model.getLineMaxColumn(last) })),
    );
  };
  useEffect(mark, [problems, value]);

  // One object while these stay: the editor re-reads its whole configuration whenever the
  // options prop is a new object, which would be at every keystroke in any field.
  const options = useMemo(
    () => ({
      readOnly: disabled,
      ariaLabel: label,
      minimap: { enabled: false },
      lineNumbers: "off" as const,
      glyphMargin: false,
      folding: false,
      lineDecorationsWidth: 4,
      scrollBeyondLastLine: false,
      wordWrap: "on" as const,
      fontSize: 13,
      renderLineHighlight: "none" as const,
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      scrollbar: { vertical: "hidden" as const, horizontal: "hidden" as const, alwaysConsumeMouseWheel: false },
      fixedOverflowWidgets: true,
      automaticLayout: true,
      quickSuggestions: true,
      suggestOnTriggerCharacters: true,
    }),
    [disabled, label],
  );

  return (
    <div className={`expression-editor${problems.length ? " has-problem" : ""}`}>
      <Editor
        height="3.2em"
        value={value}
        language={LANGUAGE}
        theme={theme}
        onMount={onMount}
        onChange={(v) => onChange(v ?? "")}
        loading={<span className="hint">…</span>}
        options={options}
      />
    </div>
  );
}
