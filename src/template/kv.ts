/**
 * Alertmanager's template.KV: a map[string]string with the methods its templates
 * call (SortedPairs, Names, Values, Remove). Being a Map, templates also index it
 * (`.Labels.alertname`), range over it in key order and take its len.
 */
export class Pair {
  constructor(
    readonly Name: string,
    readonly Value: string,
  ) {}
}

export class Pairs extends Array<Pair> {
  /** Names of the pairs, in order. */
  Names(): string[] {
    return this.map((p) => p.Name);
  }
  Values(): string[] {
    return this.map((p) => p.Value);
  }
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

export class KV extends Map<string, string> {
  static from(obj: Record<string, string> | ReadonlyMap<string, string> | Iterable<readonly [string, string]>): KV {
    const kv = new KV();
    const entries = obj instanceof Map || Symbol.iterator in obj ? (obj as Iterable<[string, string]>) : Object.entries(obj as Record<string, string>);
    for (const [k, v] of entries) kv.set(k, v);
    return kv;
  }

  /** Pairs sorted by name, except that "alertname" comes first (Alertmanager's order). */
  SortedPairs(): Pairs {
    const names = [...this.keys()].sort();
    const out = new Pairs();
    const ai = names.indexOf('alertname');
    if (ai > 0) {
      names.splice(ai, 1);
      names.unshift('alertname');
    }
    for (const n of names) out.push(new Pair(n, this.get(n)!));
    return out;
  }
  Names(): string[] {
    return this.SortedPairs().Names();
  }
  Values(): string[] {
    return this.SortedPairs().Values();
  }
  /** A copy without the given keys. */
  Remove(keys: readonly string[]): KV {
    const kv = KV.from(this);
    for (const k of keys) kv.delete(k);
    return kv;
  }
  toJSON(): Record<string, string> {
    return Object.fromEntries(this);
  }
}
