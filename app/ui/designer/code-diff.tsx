"use client";
// Two generated modules in Monaco's read-only diff editor, from the local monaco-editor (never
// a CDN). Loaded with next/dynamic, browser only.

import { DiffEditor, type DiffOnMount } from "@monaco-editor/react";
import { useMemo } from "react";
import { CODE_LANGUAGE, setUpMonaco, type monaco as Monaco } from "./monaco-setup.ts";
import { useTheme } from "./code-editor.tsx";

setUpMonaco();

export interface CodeDiffProps {
  original: string;
  modified: string;
  originalLabel: string;
  modifiedLabel: string;
}

export default function CodeDiff({ original, modified, originalLabel, modifiedLabel }: CodeDiffProps) {
  const theme = useTheme();
  const onMount: DiffOnMount = (editor) => {
    keepLabel(editor.getOriginalEditor(), originalLabel);
    keepLabel(editor.getModifiedEditor(), modifiedLabel);
  };
  const options = useMemo(
    () => ({
      readOnly: true,
      domReadOnly: true,
      originalEditable: false,
      renderSideBySide: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      fontSize: 12,
      lineNumbersMinChars: 3,
      automaticLayout: true,
      renderLineHighlight: "none" as const,
      folding: false,
      originalAriaLabel: originalLabel,
      modifiedAriaLabel: modifiedLabel,
      renderOverviewRuler: false,
    }),
    [originalLabel, modifiedLabel],
  );
  return (
    <div className="code-diff">
      <DiffEditor
        original={original}
        modified={modified}
        language={CODE_LANGUAGE}
        theme={theme}
        height="60vh"
        loading={<p className="hint">Loading the code diff…</p>}
        onMount={onMount}
        // Models stay with the page: @monaco-editor/react would dispose them before the diff
        // widget lets go of them when it unmounts (an uncaught "TextModel got disposed").
        originalModelPath="inmemory://weft/compare/original.ts"
        modifiedModelPath="inmemory://weft/compare/modified.ts"
        keepCurrentOriginalModel
        keepCurrentModifiedModel
        options={options}
      />
    </div>
  );
}

/**
 * Keeps a side of the diff named. Monaco's diff editor gives its sides their names when it is
 * made, then empties them whenever it passes its options on again (a change of layout, of
 * theme), which leaves two unnamed text boxes to a screen reader.
 */
function keepLabel(editor: Monaco.editor.ICodeEditor, label: string) {
  const apply = () => {
    if (editor.getRawOptions().ariaLabel !== label) editor.updateOptions({ ariaLabel: label });
  };
  apply();
  editor.onDidChangeConfiguration(apply);
}
