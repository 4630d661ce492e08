import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewline } from '@codemirror/commands';
import { bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { useEffect, useRef } from 'preact/hooks';
import { basePath } from '../lib/api.js';

/** One completion/lint client for the whole app: it caches metric names and labels. */
let sharedPromQL: PromQLExtension | null = null;
function promql(): PromQLExtension {
  if (!sharedPromQL) {
    sharedPromQL = new PromQLExtension().setComplete({
      remote: {
        // Same-origin Prometheus API under the UI's base path.
        url: window.location.origin + basePath.replace(/\/$/, ''),
        httpMethod: 'GET',
        lookbackInterval: 12 * 60 * 60 * 1000,
        httpErrorHandler: (): void => {
          /* completion is best effort; the query itself reports errors */
        },
        cache: { maxAge: 60_000 },
      },
      maxMetricsMetadata: 10_000,
    });
  }
  return sharedPromQL;
}

export interface EditorProps {
  /** The committed text; the editor shows it initially and whenever it changes. */
  value: string;
  onChange: (v: string) => void;
  onExecute: (text: string) => void;
  placeholderText?: string;
}

/** The PromQL editor: CodeMirror 6 with codemirror-promql completion, highlighting and lint. Enter runs, Shift+Enter breaks the line. */
export function PromQLEditor(p: EditorProps): preact.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const cb = useRef(p);
  cb.current = p;

  useEffect(() => {
    if (!ref.current) return;
    const v = new EditorView({
      parent: ref.current,
      state: EditorState.create({
        doc: p.value,
        extensions: [
          history(),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ activateOnTyping: true, maxRenderedOptions: 80 }),
          syntaxHighlighting(classHighlighter),
          EditorView.lineWrapping,
          placeholder(p.placeholderText ?? 'Expression (press Shift+Enter for newlines)'),
          keymap.of([
            {
              key: 'Enter',
              run: (view): boolean => {
                // Pass the text itself: the parent may not have re-rendered since the last keystroke.
                cb.current.onExecute(view.state.doc.toString());
                return true;
              },
            },
            { key: 'Shift-Enter', run: insertNewline },
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...historyKeymap,
            ...completionKeymap,
            ...lintKeymap,
          ]),
          promql().asExtension(),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) cb.current.onChange(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': 'PromQL expression', spellcheck: 'false' }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  // Follow external changes (URL navigation). `value` is the committed expression, not the text
  // being typed: feeding typed text back from a render that lags behind the keyboard would undo
  // keystrokes and bounce between old and new text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== p.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: p.value } });
  }, [p.value]);

  return <div class="editor" ref={ref} />;
}
