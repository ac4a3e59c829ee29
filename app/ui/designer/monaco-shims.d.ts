// Monaco's ESM modules that ship without type declarations.
declare module "monaco-editor/languages/definitions/typescript/typescript" {
  import type { languages } from "monaco-editor";
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}
declare module "monaco-editor/editor/contrib/suggest/browser/suggestController";
declare module "monaco-editor/editor/contrib/hover/browser/hoverContribution";
