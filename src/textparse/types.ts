import type { Labels } from '../model/index.js';

/** What `Parser.next()` found (Prometheus textparse.Entry). */
export type Entry = 'eof' | 'series' | 'help' | 'type' | 'unit' | 'comment';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

/** A syntax error with the 1-based line of the body it was found on. */
export class ParseError extends Error {
  override name = 'ParseError';
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

/**
 * A streaming exposition-format parser. `next()` advances to the next entry and
 * throws ParseError on malformed input; the accessors describe the current entry
 * and allocate only when called (labels() builds the label set, seriesText() is a
 * substring usable as a cache key).
 */
export interface Parser {
  next(): Entry;
  /** Current series exactly as written (name and label block): a cache key. */
  seriesText(): string;
  /** Current series' label set including __name__, sorted. */
  labels(): Labels;
  metricName(): string;
  value(): number;
  /** Explicit timestamp in ms, or null when the sample has none. */
  timestamp(): number | null;
  /** Metric family name of the current help/type/unit entry. */
  metaName(): string;
  helpText(): string;
  metricType(): MetricType;
  unitText(): string;
  commentText(): string;
  /** 1-based line of the current entry. */
  line(): number;
}
