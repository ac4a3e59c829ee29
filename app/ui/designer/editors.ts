"use client";
// The heavy editors (Monaco, JSON-Schema forms) arrive apart, in the browser only; until they
// do, and on the server, the inspector uses plain fields. The page puts them in this context.

import { createContext, useContext, type ComponentType } from "react";
import type { ScopeNames } from "../../../designer/scope.ts";

export interface ExpressionEditorProps {
  label: string;
  value: string;
  disabled: boolean;
  onChange: (value: string) => void;
  /** The compiler's words about this expression, shown as markers. */
  problems: readonly string[];
  /** What the expression may name here, for completion. */
  scope: () => ScopeNames;
  describedBy?: string;
}

export interface InputFormProps {
  schema: unknown;
  value: unknown;
  disabled: boolean;
  onChange: (value: unknown) => void;
}

export interface Editors {
  Expression?: ComponentType<ExpressionEditorProps>;
  InputForm?: ComponentType<InputFormProps>;
}

export const EditorsContext = createContext<Editors>({});

export const useEditors = () => useContext(EditorsContext);
