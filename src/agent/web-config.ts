import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { SecureVersion, TlsOptions } from 'node:tls';
import { UserError } from '../util/index.js';

/**
 * Prometheus exporter-toolkit web configuration (--web.config.file): TLS server
 * settings, extra response headers and bcrypt-hashed basic-auth users. Unknown keys
 * are errors, as in the toolkit's strict YAML decoding. File paths are relative to
 * the config file.
 */
export type ClientAuthType = 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';

export interface WebConfig {
  tls?: TlsOptions;
  /** Go's tls.ClientAuthType semantics; the HTTP handler enforces what Node's TLS options cannot (see clientCertAllowed). */
  clientAuth: ClientAuthType;
  headers: Record<string, string>;
  /** user → bcrypt hash; empty means no authentication. */
  users: Map<string, string>;
}

const CLIENT_AUTH = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];
const TLS_VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

function checkKeys(obj: Record<string, unknown>, allowed: string[], where: string, file: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new UserError(`${file}: field ${k} not found in ${where}`);
}

function asObject(v: unknown, where: string, file: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UserError(`${file}: ${where} must be a mapping`);
  return v as Record<string, unknown>;
}

// yaml and bcryptjs are loaded on first use: an agent without a web config never pays their memory.
type Bcrypt = typeof import('bcryptjs');
let bcryptModule: Promise<Bcrypt> | undefined;
function bcrypt(): Promise<Bcrypt> {
  bcryptModule ??= import('bcryptjs').then((m) => (m as unknown as { default: Bcrypt }).default ?? m);
  return bcryptModule;
}

export async function loadWebConfig(file: string): Promise<WebConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read web config ${file}: ${(err as Error).message}`);
  }
  return parseWebConfig(text, file);
}

export async function parseWebConfig(text: string, file: string): Promise<WebConfig> {
  const { parse: parseYaml } = await import('yaml');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
  const root = asObject(doc, 'the document', file);
  checkKeys(root, ['tls_server_config', 'http_server_config', 'basic_auth_users'], 'web config', file);
  const base = dirname(file);
  const rel = (p: string): string => (isAbsolute(p) ? p : join(base, p));
  const read = (p: string, what: string): Buffer => {
    try {
      return readFileSync(rel(p));
    } catch (err) {
      throw new UserError(`${file}: cannot read ${what} ${p}: ${(err as Error).message}`);
    }
  };
  const out: WebConfig = { headers: {}, users: new Map(), clientAuth: 'NoClientCert' };

  const tlsCfg = asObject(root['tls_server_config'], 'tls_server_config', file);
  if (Object.keys(tlsCfg).length > 0) {
    checkKeys(tlsCfg, ['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites', 'curve_preferences'], 'tls_server_config', file);
    const cert = tlsCfg['cert_file'];
    const key = tlsCfg['key_file'];
    if (typeof cert !== 'string' || cert === '') throw new UserError(`${file}: missing cert_file`);
    if (typeof key !== 'string' || key === '') throw new UserError(`${file}: missing key_file`);
    const tls: TlsOptions = { cert: read(cert, 'cert_file'), key: read(key, 'key_file'), minVersion: 'TLSv1.2' };
    const auth = (tlsCfg['client_auth_type'] as string | undefined) ?? 'NoClientCert';
    if (!CLIENT_AUTH.includes(auth)) throw new UserError(`${file}: invalid client_auth_type ${JSON.stringify(auth)}`);
    if (typeof tlsCfg['client_ca_file'] === 'string') tls.ca = read(tlsCfg['client_ca_file'], 'client_ca_file');
    if (auth !== 'NoClientCert') {
      tls.requestCert = true;
      // Only "verify and require" can be left to the TLS layer; the other modes need a
      // certificate check per request (clientCertAllowed), since Node verifies or not as a whole.
      tls.rejectUnauthorized = auth === 'RequireAndVerifyClientCert';
      if ((auth === 'RequireAndVerifyClientCert' || auth === 'VerifyClientCertIfGiven') && !tls.ca) {
        throw new UserError(`${file}: client_ca_file is required for client_auth_type ${auth}`);
      }
    }
    out.clientAuth = auth as ClientAuthType;
    for (const [k, prop] of [
      ['min_version', 'minVersion'],
      ['max_version', 'maxVersion'],
    ] as const) {
      const v = tlsCfg[k];
      if (v === undefined) continue;
      const mapped = TLS_VERSIONS[String(v)];
      if (!mapped) throw new UserError(`${file}: unknown TLS version ${JSON.stringify(v)} in ${k}`);
      tls[prop] = mapped;
    }
    out.tls = tls;
  }

  const httpCfg = asObject(root['http_server_config'], 'http_server_config', file);
  checkKeys(httpCfg, ['http2', 'headers'], 'http_server_config', file);
  for (const [k, v] of Object.entries(asObject(httpCfg['headers'], 'headers', file))) out.headers[k] = String(v);

  for (const [user, hash] of Object.entries(asObject(root['basic_auth_users'], 'basic_auth_users', file))) {
    if (typeof hash !== 'string' || !/^\$2[abxy]?\$\d\d\$/.test(hash)) throw new UserError(`${file}: basic_auth_users.${user} is not a bcrypt hash`);
    out.users.set(user, hash);
  }
  return out;
}

/** Whether a TLS connection satisfies client_auth_type (for the modes the TLS layer lets through). */
export function clientCertAllowed(auth: ClientAuthType, socket: { authorized?: boolean; getPeerCertificate?: () => object }): boolean {
  if (auth === 'NoClientCert' || auth === 'RequestClientCert' || auth === 'RequireAndVerifyClientCert') return true;
  const cert = socket.getPeerCertificate?.() ?? {};
  const presented = Object.keys(cert).length > 0;
  if (auth === 'RequireAnyClientCert') return presented;
  // VerifyClientCertIfGiven: no certificate is fine, an unverifiable one is not.
  return !presented || socket.authorized === true;
}

/**
 * Checks an Authorization header against the users. bcrypt is deliberately slow
 * (tens of ms in JS), so verified results are cached by a hash of the credentials,
 * as the exporter-toolkit does; unknown users still pay one bcrypt to keep timing flat.
 */
export class BasicAuth {
  private readonly cache = new Map<string, boolean>();
  private dummy: string | undefined;

  constructor(private readonly users: Map<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  async check(header: string | undefined): Promise<boolean> {
    if (!this.enabled) return true;
    if (!header || !header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    const hash = this.users.get(user);
    const key = createHash('sha256').update(user).update('\u0000').update(pass).update('\u0000').update(hash ?? '').digest('hex');
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const b = await bcrypt();
    this.dummy ??= await b.hash('vigil-unknown-user', 10);
    const ok = (await b.compare(pass, hash ?? this.dummy)) && hash !== undefined;
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(key, ok);
    return ok;
  }
}
