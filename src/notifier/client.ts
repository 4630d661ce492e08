import { readFileSync } from 'node:fs';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { labelsToObject } from '../model/index.js';
import type { AlertmanagerSetOptions, NotifierAlert } from './options.js';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The v2 alerts endpoint of one target: {scheme}://{target}{path_prefix}/api/v2/alerts. */
export function alertmanagerURL(set: AlertmanagerSetOptions, target: string): string {
  const scheme = set.scheme ?? 'http';
  const prefix = ('/' + (set.pathPrefix ?? '')).replace(/\/+/g, '/').replace(/\/$/, '');
  return `${scheme}://${target}${prefix}/api/v2/alerts`;
}

/** strfmt.DateTime as Alertmanager's v2 client writes it (RFC 3339, milliseconds). */
export function formatDateTime(ms: number): string {
  if (ms === 0) return '0001-01-01T00:00:00.000Z';
  return new Date(ms).toISOString();
}

/** Alertmanager API v2 PostableAlert, as sent over the wire. */
export interface PostableAlertJSON {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Alerts in the v2 postable shape: what is POSTed, and what the built-in Alertmanager's postAlerts takes. */
export function toPostableAlerts(alerts: readonly NotifierAlert[]): PostableAlertJSON[] {
  return alerts.map((a) => ({
    labels: labelsToObject(a.labels),
    annotations: labelsToObject(a.annotations),
    startsAt: formatDateTime(a.startsAt),
    endsAt: formatDateTime(a.endsAt),
    generatorURL: a.generatorURL,
  }));
}

/** The JSON body of POST /api/v2/alerts (Alertmanager's PostableAlerts). */
export function encodeAlerts(alerts: readonly NotifierAlert[]): string {
  return JSON.stringify(toPostableAlerts(alerts));
}

const TLS_VERSIONS: Record<string, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3', '': 'TLSv1.2' };

/** A secret file's contents without the trailing newline (Prometheus trims whitespace). */
function readSecret(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/** POSTs `body` to `url`; resolves on 2xx, rejects with a precise message otherwise. */
export function postAlerts(url: string, body: string, set: AlertmanagerSetOptions): Promise<void> {
  const u = new URL(url);
  const headers: Record<string, string> = {
    ...set.headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'User-Agent': 'Vigil',
  };
  if (set.basicAuth) {
    const password = set.basicAuth.passwordFile ? readSecret(set.basicAuth.passwordFile) : set.basicAuth.password ?? '';
    headers['Authorization'] = 'Basic ' + Buffer.from(`${set.basicAuth.username}:${password}`).toString('base64');
  } else if (set.bearerToken || set.bearerTokenFile) {
    const token = set.bearerTokenFile ? readSecret(set.bearerTokenFile) : set.bearerToken!;
    headers['Authorization'] = `${set.authorizationType ?? 'Bearer'} ${token}`;
  }
  const opts: RequestOptions & {
    ca?: string | Buffer;
    cert?: string | Buffer;
    key?: string | Buffer;
    servername?: string;
    rejectUnauthorized?: boolean;
    minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  } = {
    method: 'POST',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port || (u.protocol === 'https:' ? 443 : 80),
    path: u.pathname + u.search,
    headers,
    timeout: set.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  if (u.protocol === 'https:') {
    const tls = set.tls ?? {};
    const ca = tls.caFile ? readFileSync(tls.caFile) : tls.ca;
    const cert = tls.certFile ? readFileSync(tls.certFile) : tls.cert;
    const key = tls.keyFile ? readFileSync(tls.keyFile) : tls.key;
    if (ca) opts.ca = ca;
    if (cert) opts.cert = cert;
    if (key) opts.key = key;
    if (tls.serverName) opts.servername = tls.serverName;
    opts.rejectUnauthorized = !tls.insecureSkipVerify;
    opts.minVersion = TLS_VERSIONS[tls.minVersion ?? 'TLS12'] ?? 'TLSv1.2';
  }
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(opts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        // Keep at most 1 KiB of the reply for the error message.
        if (size < 1024) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`bad response status ${status} ${res.statusMessage ?? ''}: ${Buffer.concat(chunks).toString('utf8').slice(0, 256).trim()}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request timed out after ${set.timeoutMs ?? DEFAULT_TIMEOUT_MS}ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
