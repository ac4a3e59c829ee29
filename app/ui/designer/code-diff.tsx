"use client";
// Two generated modules in Monaco's read-only diff editor, from the local monaco-editor (never
// a CDN). Loaded with next/dynamic, browser only.

import { DiffEditor } from "@monaco-editor/react";
import { CODE_LANGUAGE, setUpMonaco } from "./monaco-setup.ts";
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
  return (
    <div className="code-diff">
      <DiffEditor
        original={original}
        modified={modified}
        language={CODE_LANGUAGE}
        theme={theme}
        height="60vh"
        loading={<p className="hint">Loading the code diff…</p>}
        options={{
          readOnly: true,
          domReadOnly: true,
          originalEditable: false,
          renderSideBySide: true,
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          fontSize: 12,
          lineNumbersMinChars: 3,
          automaticLayout: true,
          renderLineHighlight: "none",
          folding: false,
          originalAriaLabel: originalLabel,
          modifiedAriaLabel: modifiedLabel,
          renderOverviewRuler: false,
        }}
      />
    </div>
  );
}
