// Monaco's editor worker, served from this app (never a CDN).
import "monaco-editor/editor/editor.worker";
