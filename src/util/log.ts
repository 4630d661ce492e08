import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;
export type LogFormat = 'logfmt' | 'json';

export interface LoggerOptions {
  level?: LogLevel;
  /** "logfmt" prints readable single lines on stderr; "json" prints pino's JSON. */
  format?: LogFormat;
}

/**
 * Creates the process logger. Logs go to stderr so that commands printing results
 * on stdout (check, tsdb dump) stay pipeable.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  if (opts.format === 'json') return pino({ level, base: undefined }, pino.destination(2));
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => process.stderr.write(formatLine(line)) },
  );
}

/** A logger that drops everything: for tests and library use. */
export function nopLogger(): Logger {
  return pino({ level: 'silent' });
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function formatLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, ...rest } = rec;
  let out = `ts=${String(time)} level=${LEVELS[Number(level)] ?? String(level)}`;
  for (const [k, v] of Object.entries(rest)) out += ` ${k}=${quote(v)}`;
  if (msg !== undefined) out += ` msg=${quote(msg)}`;
  return out + '\n';
}

function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : v instanceof Object ? JSON.stringify(v) : String(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}
