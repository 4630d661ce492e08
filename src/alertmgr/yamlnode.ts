/**
 * Strict YAML reading with line numbers: every mapping is read field by field and
 * leftover keys are rejected the way Alertmanager's Go YAML decoder rejects them
 * ("line N: field x not found in type config.plain").
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { parseDuration } from '../util/index.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export class YamlCtx {
  constructor(
    readonly file: string,
    readonly lc: LineCounter,
  ) {}

  line(node: Node | null | undefined): number {
    const off = node?.range?.[0];
    return off === undefined ? 0 : this.lc.linePos(off).line;
  }

  fail(node: Node | null | undefined, msg: string): never {
    const ln = this.line(node);
    throw new ConfigError(ln > 0 ? `${this.file}:${ln}: ${msg}` : `${this.file}: ${msg}`);
  }
}

/** A mapping whose fields are consumed one by one; `done()` rejects the rest. */
export class Obj {
  private readonly used = new Set<string>();
  private readonly entries = new Map<string, { key: Node; value: Node | null }>();

  constructor(
    readonly ctx: YamlCtx,
    readonly node: Node | null,
    readonly typeName: string,
  ) {
    if (node === null || (isScalar(node) && (node.value === null || node.value === undefined))) return;
    if (!isMap(node)) ctx.fail(node, `cannot unmarshal ${describe(node)} into ${typeName}`);
    for (const pair of node.items) {
      const k = pair.key as Node;
      const key = isScalar(k) ? String(k.value) : '';
      if (this.entries.has(key)) ctx.fail(k, `mapping key "${key}" already defined`);
      this.entries.set(key, { key: k, value: (pair.value as Node | null) ?? null });
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  raw(name: string): Node | null {
    this.used.add(name);
    return this.entries.get(name)?.value ?? null;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  str(name: string, def = ''): string {
    const n = this.raw(name);
    if (n === null) return def;
    if (!isScalar(n)) this.ctx.fail(n, `field ${name}: expected a string, got ${describe(n)}`);
    if (n.value === null || n.value === undefined) return def;
    if (typeof n.value === 'object') this.ctx.fail(n, `field ${name}: expected a string`);
    return scalarText(n);
  }

  optStr(name: string): string | undefined {
    return this.has(name) ? this.str(name) : undefined;
  }

  bool(name: string, def: boolean): boolean {
    const n = this.raw(name);
    if (n === null || (isScalar(n) && n.value === null)) return def;
    if (!isScalar(n) || typeof n.value !== 'boolean') this.ctx.fail(n, `field ${name}: cannot unmarshal ${describe(n)} into bool`);
    return n.value;
  }

  int(name: string, def: number): number {
    const n = this.raw(name);
    if (n === null) return def;
    if (!isScalar(n) || typeof n.value !== 'number' || !Number.isInteger(n.value) || n.value < 0) this.ctx.fail(n, `field ${name}: expected a non-negative integer`);
    return n.value;
  }

  /** A Prometheus duration in ms, or `def` when absent. */
  duration(name: string, def: number): number {
    const n = this.raw(name);
    if (n === null) return def;
    const s = isScalar(n) ? scalarText(n) : '';
    try {
      return parseDuration(s);
    } catch (err) {
      this.ctx.fail(n, `field ${name}: ${(err as Error).message}`);
    }
  }

  strList(name: string): string[] {
    const n = this.raw(name);
    if (n === null || (isScalar(n) && n.value === null)) return [];
    if (!isSeq(n)) this.ctx.fail(n, `field ${name}: expected a list of strings, got ${describe(n)}`);
    return n.items.map((it) => {
      const item = it as Node;
      if (!isScalar(item) || typeof item.value === 'object') this.ctx.fail(item, `field ${name}: expected a string`);
      return scalarText(item);
    });
  }

  list(name: string): Node[] {
    const n = this.raw(name);
    if (n === null || (isScalar(n) && n.value === null)) return [];
    if (!isSeq(n)) this.ctx.fail(n, `field ${name}: expected a list, got ${describe(n)}`);
    return n.items as Node[];
  }

  obj(name: string, typeName: string): Obj {
    return new Obj(this.ctx, this.raw(name), typeName);
  }

  /** A string→string mapping (labels, headers). */
  strMap(name: string): Record<string, string> {
    const o = this.obj(name, 'map[string]string');
    const out: Record<string, string> = {};
    for (const k of o.keys()) out[k] = o.str(k);
    return out;
  }

  /** Rejects keys that no reader consumed. */
  done(): void {
    for (const [k, e] of this.entries) {
      if (!this.used.has(k)) this.ctx.fail(e.key, `field ${k} not found in type ${this.typeName}`);
    }
  }
}

/** Go decodes a plain scalar into a string field as written ("09:00", "0755"), so use the source. */
function scalarText(n: Node): string {
  const sc = n as unknown as { value: unknown; source?: string; type?: string };
  if (sc.type === 'PLAIN' && typeof sc.source === 'string') return sc.source;
  return String(sc.value);
}

function describe(n: Node | null): string {
  if (n === null) return 'null';
  if (isMap(n)) return '!!map';
  if (isSeq(n)) return '!!seq';
  if (isScalar(n)) return typeof n.value === 'string' ? `!!str \`${n.value}\`` : `!!${typeof n.value} \`${String(n.value)}\``;
  return 'node';
}

/** Parses YAML text; syntax errors carry the file and line. */
export function parseYaml(text: string, file: string): { ctx: YamlCtx; root: Node | null } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const ctx = new YamlCtx(file, lc);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const ln = lc.linePos(e.pos[0]).line;
    throw new ConfigError(`${file}:${ln}: yaml: ${e.message.split('\n')[0]}`);
  }
  return { ctx, root: (doc.contents as Node | null) ?? null };
}
