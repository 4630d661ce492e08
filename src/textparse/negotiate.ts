import { isValidUtf8 } from './base.js';
import { OpenMetricsParser } from './openmetrics.js';
import { PromParser } from './prom.js';
import type { Parser } from './types.js';

/** The Accept header Prometheus 2.42 sends on scrapes (OpenMetrics preferred, text 0.0.4 next). */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export type ExpositionFormat = 'text' | 'openmetrics';

/**
 * Picks the format from a response Content-Type like Prometheus' textparse.New:
 * `application/openmetrics-text` → OpenMetrics, everything else (including a
 * missing or unparsable header) → text 0.0.4.
 */
export function formatForContentType(contentType: string | null | undefined): ExpositionFormat {
  if (!contentType) return 'text';
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return media === 'application/openmetrics-text' ? 'openmetrics' : 'text';
}

/** Decodes the body (UTF-8, or latin1 bytes when invalid so the parser can report where) and returns a parser. */
export function newParser(body: Uint8Array | string, contentType: string | null | undefined): Parser {
  let text: string;
  let bytesMode = false;
  if (typeof body === 'string') text = body;
  else {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (isValidUtf8(buf)) text = buf.toString('utf8');
    else {
      text = buf.toString('latin1');
      bytesMode = true;
    }
  }
  return formatForContentType(contentType) === 'openmetrics' ? new OpenMetricsParser(text, bytesMode) : new PromParser(text, bytesMode);
}
