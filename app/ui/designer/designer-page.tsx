"use client";
// The designer with its heavy parts loaded apart, in the browser only: Monaco (the code view
// and expressions) and the JSON-Schema forms. The designer works before they arrive.

import { Designer, type DesignerProps } from "./designer.tsx";

export function DesignerPage(props: Omit<DesignerProps, "InputForm" | "CodeEditor">) {
  return <Designer {...props} />;
}
