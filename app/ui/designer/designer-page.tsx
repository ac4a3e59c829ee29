"use client";
// The designer with its heavy parts loaded apart, in the browser only (next/dynamic with
// ssr: false): Monaco for the code view and expressions, and the JSON-Schema input forms. The
// designer works before they arrive, with plain fields and a plain code view.

import dynamic from "next/dynamic";
import { Designer, type DesignerProps } from "./designer.tsx";
import { EditorsContext, type Editors } from "./editors.ts";

const CodeEditor = dynamic(() => import("./code-editor.tsx"), {
  ssr: false,
  loading: () => <p className="hint">Loading the code view…</p>,
});
const Expression = dynamic(() => import("./expression-editor.tsx"), { ssr: false });
const InputForm = dynamic(() => import("./input-form.tsx"), { ssr: false });

const editors: Editors = { Expression, InputForm };

export function DesignerPage(props: Omit<DesignerProps, "CodeEditor">) {
  return (
    <EditorsContext.Provider value={editors}>
      <Designer {...props} CodeEditor={CodeEditor} />
    </EditorsContext.Provider>
  );
}
