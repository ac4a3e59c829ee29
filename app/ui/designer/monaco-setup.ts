"use client";
// Monaco from the local package, never a CDN: the editor core with the few contributions the
// designer uses (completion, hover), TypeScript's colours through Monaco's own tokenizer (the
// module is read, not type-checked, so no TypeScript worker runs), and its one worker served
// from this app. `loader.config({ monaco })` makes @monaco-editor/react use this copy.

import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor/editor/editor.api";
import "monaco-editor/editor/contrib/suggest/browser/suggestController";
import "monaco-editor/editor/contrib/hover/browser/hoverContribution";
import { conf, language } from "monaco-editor/languages/definitions/typescript/typescript";

export const CODE_LANGUAGE = "weft-ts";
export const LIGHT_THEME = "weft-light";
export const DARK_THEME = "weft-dark";

/** The theme for the reader's colour scheme. */
export function themeNow(): string {
  return typeof window !== "undefined" && window.matchMedia("(prefers-color-scheme: dark)").matches ? DARK_THEME : LIGHT_THEME;
}

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(workerId: string, label: string): Worker };
  }
}

let ready = false;

export function setUpMonaco(): typeof monaco {
  if (ready) return monaco;
  ready = true;
  window.MonacoEnvironment = {
    getWorker: () => new Worker(new URL("./monaco-worker.ts", import.meta.url), { type: "module", name: "monaco-editor" }),
  };
  monaco.languages.register({ id: CODE_LANGUAGE, extensions: [".ts"], aliases: ["TypeScript"] });
  monaco.languages.setMonarchTokensProvider(CODE_LANGUAGE, language);
  monaco.languages.setLanguageConfiguration(CODE_LANGUAGE, conf);
  // Monaco's own colours fall short of 4.5:1 in places (comments, numbers, on a marked line):
  // these keep every token readable on the page's surfaces.
  monaco.editor.defineTheme(LIGHT_THEME, {
    base: "vs",
    inherit: true,
    rules: [
      { token: "comment", foreground: "3a6b3a" },
      { token: "number", foreground: "0a6148" },
      { token: "type", foreground: "1c5b6e" },
      { token: "regexp", foreground: "7a3410" },
    ],
    // The diff editor's marks light enough that every token keeps 4.5:1 on them (Monaco's own
    // mark of removed text, #ffa3a3, leaves its strings at 4.1:1).
    colors: {
      "editor.background": "#ffffff",
      "editorLineNumber.foreground": "#5c6370",
      "editorLineNumber.dimmedForeground": "#5c6370",
      "diffEditor.insertedLineBackground": "#eefaf0",
      "diffEditor.insertedTextBackground": "#d9f2df",
      "diffEditor.removedLineBackground": "#fff1f0",
      "diffEditor.removedTextBackground": "#ffe4e1",
    },
  });
  monaco.editor.defineTheme(DARK_THEME, {
    base: "vs-dark",
    inherit: true,
    // Keywords a shade lighter, and the diff editor's marks dark enough, that every token keeps 4.5:1 on them.
    rules: [
      { token: "comment", foreground: "8fbf7f" },
      { token: "keyword", foreground: "7fb6ee" },
    ],
    colors: {
      "editor.background": "#17191d",
      "editorLineNumber.foreground": "#a0a6b3",
      "editorLineNumber.dimmedForeground": "#a0a6b3",
      "diffEditor.insertedLineBackground": "#1b261d",
      "diffEditor.insertedTextBackground": "#24382a",
      "diffEditor.removedLineBackground": "#2b1d1f",
      "diffEditor.removedTextBackground": "#3d2428",
    },
  });
  loader.config({ monaco: monaco as never });
  return monaco;
}

export { monaco };
