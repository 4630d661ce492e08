import { parseDuration } from './duration.js';
import { UserError } from './errors.js';

/**
 * Command-line flags in the style of Prometheus' kingpin: `--name=value`,
 * `--name value`, booleans as `--name` / `--no-name`, repeatable flags collected
 * into arrays. Flag names are kept identical to Prometheus/Alertmanager/node_exporter
 * so existing unit files and Helm values work unchanged.
 */
export type FlagKind = 'string' | 'bool' | 'duration' | 'int' | 'strings';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  help: string;
  default?: string | boolean | number | string[];
  /** Environment variable consulted when the flag is absent (secrets, containers). */
  env?: string;
  /** Value name shown in help. */
  placeholder?: string;
  hidden?: boolean;
}

export type FlagValue = string | boolean | number | string[] | undefined;

export class ParsedFlags {
  constructor(
    private readonly values: Map<string, FlagValue>,
    readonly positional: string[],
    readonly explicit: Set<string>,
  ) {}

  string(name: string): string {
    const v = this.values.get(name);
    return v === undefined ? '' : String(v);
  }
  optString(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined || v === '' ? undefined : String(v);
  }
  bool(name: string): boolean {
    return this.values.get(name) === true;
  }
  /** Durations are returned in milliseconds. */
  duration(name: string): number {
    return Number(this.values.get(name) ?? 0);
  }
  int(name: string): number {
    return Number(this.values.get(name) ?? 0);
  }
  strings(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  /** All flag values as strings, for /api/v1/status/flags. */
  asRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.values) out[k] = Array.isArray(v) ? v.join(',') : v === undefined ? '' : String(v);
    return out;
  }
}

export function parseFlags(specs: FlagSpec[], argv: string[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, FlagValue>();
  const explicit = new Set<string>();
  const positional: string[] = [];
  for (const s of specs) values.set(s.name, convertDefault(s));

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && value === undefined) {
      const neg = byName.get(name.slice(3));
      if (neg && neg.kind === 'bool') {
        spec = neg;
        name = neg.name;
        value = 'false';
      }
    }
    if (!spec) throw new UserError(`unknown flag --${name}`);
    if (spec.kind === 'bool') {
      value ??= 'true';
    } else if (value === undefined) {
      if (i + 1 >= argv.length) throw new UserError(`flag --${name} needs a value`);
      value = argv[++i]!;
    }
    // A repeatable flag given on the command line replaces its default rather than adding to it.
    const prev = explicit.has(name) ? values.get(name) : undefined;
    explicit.add(name);
    values.set(name, convertValue(spec, value, Array.isArray(prev) ? prev : undefined));
  }

  for (const s of specs) {
    if (!explicit.has(s.name) && s.env !== undefined && process.env[s.env] !== undefined) {
      values.set(s.name, convertValue(s, process.env[s.env]!, undefined));
    }
  }
  return new ParsedFlags(values, positional, explicit);
}

function convertDefault(s: FlagSpec): FlagValue {
  if (s.default === undefined) return s.kind === 'strings' ? [] : s.kind === 'bool' ? false : undefined;
  if (s.kind === 'duration' && typeof s.default === 'string') return parseDuration(s.default);
  return s.default;
}

function convertValue(spec: FlagSpec, raw: string, prev: string[] | undefined): FlagValue {
  switch (spec.kind) {
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new UserError(`flag --${spec.name}: expected true or false, got "${raw}"`);
    case 'int': {
      const n = Number(raw);
      if (!Number.isInteger(n)) throw new UserError(`flag --${spec.name}: expected an integer, got "${raw}"`);
      return n;
    }
    case 'duration':
      try {
        return parseDuration(raw);
      } catch (err) {
        throw new UserError(`flag --${spec.name}: ${(err as Error).message}`);
      }
    case 'strings':
      return prev ? [...prev, raw] : [raw];
    default:
      return raw;
  }
}

/** Help text listing flags in declaration order. */
export function formatFlagHelp(specs: FlagSpec[]): string {
  const lines: string[] = [];
  for (const s of specs) {
    if (s.hidden) continue;
    const ph = s.kind === 'bool' ? '' : `=${s.placeholder ?? s.kind.toUpperCase()}`;
    const left = `  --${s.kind === 'bool' ? '[no-]' : ''}${s.name}${ph}`;
    const def = s.default !== undefined && s.default !== '' && s.default !== false ? ` (default: ${String(s.default)})` : '';
    const env = s.env ? ` [$${s.env}]` : '';
    lines.push(left.padEnd(44) + ' ' + s.help + def + env);
  }
  return lines.join('\n');
}
