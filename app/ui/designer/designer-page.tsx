"use client";
// The designer with its heavy parts loaded apart, in the browser only (next/dynamic with
// ssr: false): Monaco for the code view and expressions, and the JSON-Schema input forms. The
// designer works before they arrive, with a plain code view. They are loaded when the designer
// asks for them (`wantEditors`: once the page is idle after drawing, or when a node is selected
// or the code panel is reached; designer.tsx), and shown once all are loaded, so that their
// script (megabytes of Monaco; the forms and their JSON-Schema validator) never runs before the
// canvas's first drawing or before a click's selection is painted.

import dynamic from "next/dynamic";
import { createContext, useCallback, useContext, useRef, useState } from "react";
import { Designer, type DesignerProps } from "./designer.tsx";
import { EditorsContext, type Editors, type ExpressionEditorProps, type InputFormProps } from "./editors.ts";

const CodeEditor = dynamic(() => import("./code-editor.tsx"), {
  ssr: false,
  loading: () => <p className="hint">Loading the code view…</p>,
});
const Expression = dynamic(() => import("./expression-editor.tsx"), { ssr: false });
const InputForm = dynamic(() => import("./input-form.tsx"), { ssr: false });

const loadEditors = () => Promise.all([import("./code-editor.tsx"), import("./expression-editor.tsx"), import("./input-form.tsx")]);

/** Whether the editors' code is loaded; until then they draw nothing, as while next/dynamic loads them. */
const Loaded = createContext(false);

function LoadedExpression(props: ExpressionEditorProps) {
  return useContext(Loaded) ? <Expression {...props} /> : null;
}

function LoadedInputForm(props: InputFormProps) {
  return useContext(Loaded) ? <InputForm {...props} /> : null;
}

const editors: Editors = { Expression: LoadedExpression, InputForm: LoadedInputForm };

export function DesignerPage(props: Omit<DesignerProps, "CodeEditor" | "editorsReady" | "wantEditors">) {
  const [ready, setReady] = useState(false);
  const asked = useRef(false);
  const wantEditors = useCallback(() => {
    if (asked.current) return;
    asked.current = true;
    // Shown even if loading failed, as before: next/dynamic then reports the failure.
    void loadEditors().finally(() => setReady(true));
  }, []);
  return (
    <EditorsContext.Provider value={editors}>
      <Loaded.Provider value={ready}>
        <Designer {...props} CodeEditor={CodeEditor} editorsReady={ready} wantEditors={wantEditors} />
      </Loaded.Provider>
    </EditorsContext.Provider>
  );
}
