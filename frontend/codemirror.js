// The parts of CodeMirror 6 that static/js/note-editor.js uses, bundled by `make vendor` (esbuild)
// into static/vendor/codemirror/codemirror.js: one file, no bare imports for the browser to resolve.
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { markdown, markdownLanguage } from "@codemirror/lang-markdown";
export { bracketMatching, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
export { EditorState } from "@codemirror/state";
export {
  Decoration,
  EditorView,
  MatchDecorator,
  ViewPlugin,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
export { tags } from "@lezer/highlight";
