/**
 * A set of named templates sharing one function map (Go's *template.Template),
 * and its executor. Value semantics follow Go: maps (Map or plain objects) read
 * missing keys as "", range visits map keys in sorted order, class instances are
 * structs whose methods templates may call (`.Labels.SortedPairs`).
 */
import type { Arg, Command, ControlNode, ListNode, Node, Pipe } from './ast.js';
import { BUILTINS, htmlEscape, isTrue, printValue, type FuncMap, type TemplateFunc } from './builtins.js';
import { goTypeName } from './format.js';
import { parseText, TemplateError } from './parse.js';
import { isSafeString } from './value.js';

export { TemplateError };

export interface ExecuteOptions {
  /** Template to run (default: the set's main name). */
  name?: string;
  /**
   * html/template-like output: every action's result is HTML-escaped unless it is a
   * SafeString (safeHtml). Alertmanager renders email `html` this way.
   */
  html?: boolean;
}

const MAX_DEPTH = 10000;
const NO_FINAL: unique symbol = Symbol('noFinal');

class BreakSignal {}
class ContinueSignal {}

export class Template {
  private readonly defs = new Map<string, ListNode>();
  private readonly funcs: Map<string, TemplateFunc>;

  constructor(
    readonly name: string,
    funcs: FuncMap = {},
  ) {
    this.funcs = new Map(Object.entries(BUILTINS));
    for (const [k, f] of Object.entries(funcs)) this.funcs.set(k, f);
  }

  /** Adds functions (must happen before parsing text that uses them). */
  addFuncs(funcs: FuncMap): this {
    for (const [k, f] of Object.entries(funcs)) this.funcs.set(k, f);
    return this;
  }

  /**
   * Parses text into the set: {{define}}s are added (replacing same-named ones), and the
   * top-level body becomes template `name` (default: the set's name) unless it is only
   * whitespace and a template of that name already exists (Go's rule).
   */
  parse(text: string, name: string = this.name): this {
    const r = parseText(text, name, (n) => n === 'and' || n === 'or' || this.funcs.has(n));
    for (const [n, body] of r.defines) {
      if (isEmptyList(body) && this.defs.has(n)) continue;
      this.defs.set(n, body);
    }
    if (!(isEmptyList(r.root) && this.defs.has(name))) this.defs.set(name, r.root);
    return this;
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** Names of all defined templates, sorted. */
  definedTemplates(): string[] {
    return [...this.defs.keys()].sort();
  }

  /** A copy sharing nothing mutable: parse more text into it without touching this set. */
  clone(name: string = this.name): Template {
    const t = new Template(name);
    for (const [k, f] of this.funcs) t.funcs.set(k, f);
    for (const [k, d] of this.defs) t.defs.set(k, d);
    return t;
  }

  execute(data: unknown, opts: ExecuteOptions = {}): string {
    const name = opts.name ?? this.name;
    const body = this.defs.get(name);
    if (!body) throw new TemplateError(`template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(this.name)}`);
    const st = new State(this, this.funcs, name, opts.html === true);
    st.vars.push(['$', data]);
    st.walk(data, body);
    return st.out.join('');
  }

  /** @internal */
  lookup(name: string): ListNode | undefined {
    return this.defs.get(name);
  }
}

function isEmptyList(l: ListNode): boolean {
  return l.nodes.every((n) => n.type === 'text' && n.text.trim() === '');
}

class State {
  readonly out: string[] = [];
  vars: Array<[string, unknown]> = [];
  private depth = 0;
  private line = 0;
  private at = '';

  constructor(
    private readonly tmpl: Template,
    private readonly funcs: Map<string, TemplateFunc>,
    private name: string,
    private readonly html: boolean,
  ) {}

  fail(msg: string): never {
    throw new TemplateError(`template: ${this.name}:${this.line}: executing ${JSON.stringify(this.name)} at <${this.at}>: ${msg}`);
  }

  walk(dot: unknown, node: Node): void {
    switch (node.type) {
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'text':
        this.out.push(node.text);
        return;
      case 'action': {
        const v = this.evalPipe(dot, node.pipe);
        if (node.pipe.decl.length === 0) {
          // html/template does not escape again after a pipeline that ends in the `html` escaper.
          const last = node.pipe.cmds[node.pipe.cmds.length - 1]!.args[0]!;
          if (this.html && last.k === 'ident' && last.name === 'html') this.out.push(printValue(v));
          else this.emit(v);
        }
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipe(dot, node.pipe);
        const truth = isTrue(v);
        if (truth) this.walk(node.type === 'with' ? v : dot, node.list);
        else if (node.elseList) this.walk(dot, node.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template': {
        this.line = node.line;
        this.at = `{{template ${JSON.stringify(node.name)}}}`;
        const body = this.tmpl.lookup(node.name);
        if (!body) this.fail(`template ${JSON.stringify(node.name)} not defined`);
        const newDot = node.pipe ? this.evalPipe(dot, node.pipe) : undefined;
        if (++this.depth > MAX_DEPTH) this.fail(`exceeded maximum template depth (${MAX_DEPTH})`);
        const saved = this.vars;
        const savedName = this.name;
        this.vars = [['$', newDot]];
        this.name = node.name;
        try {
          this.walk(newDot, body);
        } finally {
          this.vars = saved;
          this.name = savedName;
          this.depth--;
        }
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private emit(v: unknown): void {
    if (!this.html) {
      this.out.push(printValue(v));
      return;
    }
    const url = this.html ? urlAttrContext(this.out) : null;
    if (url !== null) {
      // html/template in a URL attribute: filter unsafe schemes at the start, normalise (or in the
      // query part fully escape) the URL, then escape for the attribute.
      let s = isSafeString(v) ? v.value : printValue(v);
      if (url === 'start' && /^[^/?#]*:/.test(s) && !/^(https?|mailto):/i.test(s)) s = '#ZgotmplZ';
      this.out.push(htmlTemplateEscape(urlProcess(s, url !== 'query')));
      return;
    }
    if (isSafeString(v)) this.out.push(v.value);
    else this.out.push(htmlTemplateEscape(printValue(v)));
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const mark = this.vars.length;
    // The range pipeline's declarations name the key/element, not the pipeline's value.
    const pipe: Pipe = { ...node.pipe, decl: [] };
    const v = this.evalPipe(dot, pipe);
    const entries: Array<[unknown, unknown]> = [];
    if (v === null || v === undefined) {
      // nothing to iterate
    } else if (Array.isArray(v)) {
      v.forEach((e, i) => entries.push([BigInt(i), e]));
    } else if (v instanceof Map) {
      for (const k of [...v.keys()].sort(compareKeys)) entries.push([k, v.get(k)]);
    } else if (typeof v === 'bigint') {
      for (let i = 0n; i < v; i++) entries.push([i, i]);
    } else if (typeof v === 'object' && (v.constructor === Object || !v.constructor)) {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o).sort()) entries.push([k, o[k]]);
    } else {
      this.fail(`range can't iterate over ${printValue(v)}`);
    }
    const decl = node.pipe.decl;
    for (const [k, e] of entries) {
      const m = this.vars.length;
      if (decl.length === 1) this.setVar(decl[0]!, e, node.pipe.isAssign);
      else if (decl.length === 2) {
        this.setVar(decl[0]!, k, node.pipe.isAssign);
        this.setVar(decl[1]!, e, node.pipe.isAssign);
      }
      try {
        this.walk(e, node.list);
      } catch (err) {
        if (err instanceof BreakSignal) {
          this.vars.length = m;
          break;
        }
        if (!(err instanceof ContinueSignal)) throw err;
      }
      this.vars.length = m;
    }
    if (entries.length === 0 && node.elseList) this.walk(dot, node.elseList);
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown, assign: boolean): void {
    if (assign) {
      for (let i = this.vars.length - 1; i >= 0; i--) {
        if (this.vars[i]![0] === name) {
          this.vars[i]![1] = value;
          return;
        }
      }
      this.fail(`undefined variable: ${name}`);
    }
    this.vars.push([name, value]);
  }

  private lookupVar(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]![0] === name) return this.vars[i]![1];
    this.fail(`undefined variable: ${name}`);
  }

  evalPipe(dot: unknown, pipe: Pipe): unknown {
    let v: unknown = NO_FINAL;
    for (const cmd of pipe.cmds) v = this.evalCommand(dot, cmd, v);
    for (const d of pipe.decl) this.setVar(d, v, pipe.isAssign);
    return v;
  }

  private evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    this.line = cmd.line;
    this.at = cmd.text;
    const first = cmd.args[0]!;
    const rest = cmd.args.slice(1);
    switch (first.k) {
      case 'field':
        return this.evalChain(dot, dot, first.names, rest, final);
      case 'ident':
        return this.evalFunction(dot, first.name, rest, final);
      case 'var': {
        const v = this.lookupVar(first.name);
        if (first.fields.length > 0) return this.evalChain(dot, v, first.fields, rest, final);
        this.noFinal(final, first.text);
        return v;
      }
      case 'pipe': {
        const v = this.evalPipe(dot, first.pipe);
        if (first.fields.length > 0) return this.evalChain(dot, v, first.fields, rest, final);
        this.noFinal(final, first.text);
        return v;
      }
      case 'nil':
        this.fail('nil is not a command');
      // eslint-disable-next-line no-fallthrough
      default:
        this.noFinal(final, first.text);
        return this.evalArg(dot, first);
    }
  }

  private noFinal(final: unknown, text: string): void {
    if (final !== NO_FINAL) this.fail(`can't give argument to non-function ${text}`);
  }

  private evalArg(dot: unknown, a: Arg): unknown {
    switch (a.k) {
      case 'dot':
        return dot;
      case 'str':
      case 'num':
      case 'bool':
        return a.v;
      case 'nil':
        return null;
      case 'field':
        return this.evalChain(dot, dot, a.names, [], NO_FINAL);
      case 'var': {
        const v = this.lookupVar(a.name);
        return a.fields.length > 0 ? this.evalChain(dot, v, a.fields, [], NO_FINAL) : v;
      }
      case 'pipe': {
        const v = this.evalPipe(dot, a.pipe);
        return a.fields.length > 0 ? this.evalChain(dot, v, a.fields, [], NO_FINAL) : v;
      }
      case 'ident':
        return this.evalFunction(dot, a.name, [], NO_FINAL);
    }
  }

  private evalFunction(dot: unknown, name: string, args: Arg[], final: unknown): unknown {
    if (name === 'and' || name === 'or') {
      // Short-circuit (Go 1.18+): returns the first falsy (and) / truthy (or) argument, or the last.
      const all: Array<() => unknown> = args.map((a) => () => this.evalArg(dot, a));
      if (final !== NO_FINAL) all.push(() => final);
      if (all.length === 0) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (const f of all) {
        v = f();
        if (isTrue(v) === (name === 'or')) return v;
      }
      return v;
    }
    const fn = this.funcs.get(name);
    if (!fn) this.fail(`function ${JSON.stringify(name)} not defined`);
    const vals = args.map((a) => this.evalArg(dot, a));
    if (final !== NO_FINAL) vals.push(final);
    const line = this.line;
    const at = this.at;
    try {
      return (fn as (...a: unknown[]) => unknown)(...vals);
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      this.line = line;
      this.at = at;
      this.fail(`error calling ${name}: ${(err as Error).message}`);
    }
  }

  /** Evaluates receiver.A.B.C; the last element gets the arguments (a method call). */
  private evalChain(dot: unknown, recv: unknown, names: string[], args: Arg[], final: unknown): unknown {
    let v = recv;
    for (let i = 0; i < names.length; i++) {
      const last = i === names.length - 1;
      const vals = last ? args.map((a) => this.evalArg(dot, a)) : [];
      if (last && final !== NO_FINAL) vals.push(final);
      v = this.evalField(v, names[i]!, vals, last && (args.length > 0 || final !== NO_FINAL));
    }
    return v;
  }

  private evalField(recv: unknown, name: string, args: unknown[], hasArgs: boolean): unknown {
    if (recv === null || recv === undefined) this.fail(`nil pointer evaluating ${goTypeName(recv)}.${name}`);
    if (recv instanceof Map) {
      // Methods of a named map type come before keys (Go looks up methods first).
      const m = (recv as unknown as Record<string, unknown>)[name];
      if (typeof m === 'function' && !(name in Map.prototype)) return this.callMethod(recv, name, m, args);
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      return recv.has(name) ? recv.get(name) : '';
    }
    if (typeof recv !== 'object') this.fail(`can't evaluate field ${name} in type ${goTypeName(recv)}`);
    const o = recv as Record<string, unknown>;
    const isPlain = o.constructor === Object || !o.constructor;
    if (isPlain) {
      if (!Object.prototype.hasOwnProperty.call(o, name)) {
        if (hasArgs) this.fail(`${name} is not a method but has arguments`);
        return '';
      }
      const v = o[name];
      if (typeof v === 'function') return this.callMethod(recv, name, v, args);
      if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
      return v;
    }
    if (!(name in o) || name === 'constructor') this.fail(`can't evaluate field ${name} in type ${goTypeName(recv)}`);
    const v = o[name];
    if (typeof v === 'function') return this.callMethod(recv, name, v, args);
    if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
    return v;
  }

  private callMethod(recv: unknown, name: string, fn: unknown, args: unknown[]): unknown {
    try {
      return (fn as (...a: unknown[]) => unknown).apply(recv, args);
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      this.fail(`error calling ${name}: ${(err as Error).message}`);
    }
  }
}

/** html/template's htmlEscaper: like HTMLEscapeString, and '+' too. */
function htmlTemplateEscape(s: string): string {
  return htmlEscape(s).replace(/\+/g, '&#43;');
}

const URL_ATTRS = /\s(?:href|src|action|formaction|cite|poster|background|longdesc|usemap|codebase|data|manifest|icon|profile|classid|archive)\s*=\s*(["']?)([^"'>\s]*)$/i;

/** Whether the output so far ends inside a URL attribute value: at its start, in its path, or in its query/fragment. */
function urlAttrContext(out: string[]): 'start' | 'path' | 'query' | null {
  let tail = '';
  for (let i = out.length - 1; i >= 0 && tail.length < 512; i--) {
    tail = out[i]! + tail;
    if (out[i]!.includes('<')) break;
  }
  const lt = tail.lastIndexOf('<');
  if (lt < 0 || tail.indexOf('>', lt) >= 0) return null;
  const m = URL_ATTRS.exec(tail.slice(lt));
  if (!m) return null;
  const prefix = m[2]!;
  if (prefix === '') return 'start';
  return /[?#]/.test(prefix) ? 'query' : 'path';
}

/** html/template's URL normaliser (norm) or escaper: percent-encodes bytes outside the allowed set. */
function urlProcess(s: string, norm: boolean): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (norm && /[!#$&*+,/:;=?@[\]%]/.test(c))) out += c;
    else out += '%' + b.toString(16).padStart(2, '0');
  }
  return out;
}

function compareKeys(a: unknown, b: unknown): number {
  const x = a as string | number | bigint;
  const y = b as string | number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parses `text` as template `name` with optional extra functions (Go's New(name).Funcs(f).Parse(text)). */
export function parseTemplate(text: string, name: string, funcs?: FuncMap): Template {
  return new Template(name, funcs).parse(text, name);
}

/** Executes the template's main body (or `opts.name`) against `data`; throws TemplateError. */
export function execute(tmpl: Template, data: unknown, opts?: ExecuteOptions): string {
  return tmpl.execute(data, opts);
}
