import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';

/** A config error carrying file:line:col, formatted like `prometheus.yml:12:5: message`. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `${file}:${line}:${col}: ${detail}` : `${file}: ${detail}`);
  }
}

/** Position-aware access to YAML nodes for strict decoding (unknown fields rejected). */
export class Decoder {
  constructor(
    readonly file: string,
    readonly lc: LineCounter,
  ) {}

  fail(node: Node | Pair | null | undefined, msg: string): never {
    const range = node && 'range' in node ? node.range : node && 'key' in node && isScalar(node.key) ? node.key.range : undefined;
    if (range) {
      const p = this.lc.linePos(range[0]);
      throw new ConfigError(this.file, p.line, p.col, msg);
    }
    throw new ConfigError(this.file, 0, 0, msg);
  }

  isNull(node: unknown): boolean {
    return node == null || (isScalar(node) && node.value === null);
  }

  /**
   * Decodes a mapping with a handler per known field. Unknown keys fail with
   * Go's yaml message ("field x not found in type config.T").
   */
  struct(node: unknown, typeName: string, fields: Record<string, (value: Node, pair: Pair) => void>, unsupported: Record<string, string> = {}): void {
    if (this.isNull(node)) return;
    const map = this.map(node as Node, typeName);
    for (const pair of map.items) {
      const key = this.keyName(pair);
      const h = fields[key];
      if (!h) {
        if (unsupported[key]) this.fail(pair.key as Node, `${key} is not supported by Vigil (${unsupported[key]})`);
        this.fail(pair.key as Node, `field ${key} not found in type ${typeName}`);
      }
      if (this.isNull(pair.value)) continue;
      h(pair.value as Node, pair);
    }
  }

  map(node: Node, typeName: string): YAMLMap {
    if (!isMap(node)) this.fail(node, `cannot unmarshal ${this.kind(node)} into ${typeName}`);
    const seen = new Set<string>();
    for (const pair of node.items) {
      const k = this.keyName(pair);
      if (seen.has(k)) this.fail(pair.key as Node, `mapping key "${k}" already defined`);
      seen.add(k);
    }
    return node;
  }

  keyName(pair: Pair): string {
    if (!isScalar(pair.key)) this.fail(pair.key as Node, 'mapping keys must be scalars');
    return String((pair.key as Scalar).value);
  }

  kind(node: unknown): string {
    if (isMap(node)) return '!!map';
    if (isSeq(node)) return '!!seq';
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'number') return Number.isInteger(v) ? `!!int \`${node.source ?? v}\`` : `!!float \`${node.source ?? v}\``;
      if (typeof v === 'boolean') return `!!bool \`${node.source ?? v}\``;
      return `!!str \`${String(v)}\``;
    }
    return 'value';
  }

  /** A string scalar; numbers and booleans are taken by their source text, as Go's yaml does for string fields. */
  str(node: Node): string {
    if (!isScalar(node)) this.fail(node, `cannot unmarshal ${this.kind(node)} into string`);
    const v = node.value;
    if (v === null) return '';
    if (typeof v === 'string') return v;
    return node.source ?? String(v);
  }

  bool(node: Node): boolean {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.fail(node, `cannot unmarshal ${this.kind(node)} into bool`);
  }

  uint(node: Node): number {
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= 0) return node.value;
    this.fail(node, `cannot unmarshal ${this.kind(node)} into uint`);
  }

  int(node: Node): number {
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
    this.fail(node, `cannot unmarshal ${this.kind(node)} into int`);
  }

  seq(node: Node, typeName: string): Node[] {
    if (!isSeq(node)) this.fail(node, `cannot unmarshal ${this.kind(node)} into []${typeName}`);
    return node.items as Node[];
  }

  strings(node: Node): string[] {
    return this.seq(node, 'string').map((n) => this.str(n));
  }

  /** A map of string to string (labels, headers). */
  stringMap(node: Node, typeName: string): Array<[string, string, Pair]> {
    const map = this.map(node, typeName);
    return map.items.map((p) => [this.keyName(p), this.isNull(p.value) ? '' : this.str(p.value as Node), p]);
  }
}
