import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

/**
 * The Prometheus web configuration file (--web.config.file, exporter-toolkit format):
 * TLS for the listener, basic auth users with bcrypt hashes and extra response headers.
 * Paths are resolved against the file's directory, as exporter-toolkit does.
 */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

export type TlsVersionName = 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';

export interface TlsServerConfig {
  certFile: string;
  keyFile: string;
  clientAuthType: ClientAuthType;
  clientCaFile: string;
  minVersion: TlsVersionName;
  maxVersion: TlsVersionName | '';
}

export interface WebConfig {
  /** null: plain HTTP. */
  tls: TlsServerConfig | null;
  /** user → bcrypt hash; empty: no authentication. */
  basicAuthUsers: Map<string, string>;
  /** Extra response headers from http_server_config.headers. */
  headers: Record<string, string>;
  http2: boolean;
}

export const EMPTY_WEB_CONFIG: WebConfig = { tls: null, basicAuthUsers: new Map(), headers: {}, http2: true };

export class WebConfigError extends Error {
  override name = 'WebConfigError';
}

const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
];
const TLS_VERSIONS: readonly TlsVersionName[] = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];

/** exporter-toolkit allows only these headers, some with fixed values. */
const ALLOWED_HEADERS: Record<string, readonly string[] | null> = {
  'strict-transport-security': null,
  'x-content-type-options': ['nosniff'],
  'x-frame-options': ['deny', 'sameorigin'],
  'x-xss-protection': null,
  'content-security-policy': null,
};

const BCRYPT_RE = /^\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Reads and validates a web config file; errors carry file:line:col. */
export function loadWebConfig(path: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new WebConfigError(`cannot read web config file ${path}: ${(err as NodeJS.ErrnoException).message}`);
  }
  return parseWebConfig(text, path);
}

export function parseWebConfig(text: string, path: string): WebConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const fail = (node: Node | Pair | null | undefined, msg: string): never => {
    const target = node && 'key' in node && node.key ? (node.key as Node) : (node as Node | null | undefined);
    const range = target && 'range' in target ? target.range : undefined;
    if (range) {
      const p = lc.linePos(range[0]);
      throw new WebConfigError(`${path}:${p.line}:${p.col}: ${msg}`);
    }
    throw new WebConfigError(`${path}: ${msg}`);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const p = lc.linePos(e.pos[0]);
    throw new WebConfigError(`${path}:${p.line}:${p.col}: ${e.message.split('\n')[0]}`);
  }
  const dir = dirname(resolve(path));
  const cfg: WebConfig = { tls: null, basicAuthUsers: new Map(), headers: {}, http2: true };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return cfg;
  const top = asMap(root, 'web config', fail);
  for (const pair of top.items) {
    const key = keyOf(pair, fail);
    const value = pair.value as Node | null;
    if (value === null || (isScalar(value) && value.value === null)) continue;
    switch (key) {
      case 'tls_server_config':
        cfg.tls = parseTls(asMap(value, 'tls_server_config', fail), dir, fail, pair);
        break;
      case 'http_server_config':
        parseHttpServer(asMap(value, 'http_server_config', fail), cfg, fail);
        break;
      case 'basic_auth_users':
        for (const p of asMap(value, 'basic_auth_users', fail).items) {
          const user = keyOf(p, fail);
          const hash = scalarString(p.value as Node, fail);
          if (!BCRYPT_RE.test(hash)) fail(p, `basic_auth_users: password of user "${user}" is not a bcrypt hash ($2y$...)`);
          cfg.basicAuthUsers.set(user, hash);
        }
        break;
      default:
        fail(pair, `field ${key} not found in type web.Config`);
    }
  }
  return cfg;
}

type Fail = (node: Node | Pair | null | undefined, msg: string) => never;

function asMap(node: Node, what: string, fail: Fail): YAMLMap {
  if (!isMap(node)) fail(node, `${what}: expected a mapping`);
  return node as YAMLMap;
}

function keyOf(pair: Pair, fail: Fail): string {
  if (!isScalar(pair.key)) fail(pair, 'mapping keys must be scalars');
  return String((pair.key as { value: unknown }).value);
}

function scalarString(node: Node | null, fail: Fail): string {
  if (node === null) return '';
  if (!isScalar(node)) fail(node, 'expected a string');
  const v = (node as { value: unknown }).value;
  return v === null ? '' : String(v);
}

function parseTls(m: YAMLMap, dir: string, fail: Fail, at: Pair): TlsServerConfig | null {
  const t: TlsServerConfig = { certFile: '', keyFile: '', clientAuthType: 'NoClientCert', clientCaFile: '', minVersion: 'TLS12', maxVersion: '' };
  let clientAuthSet = false;
  for (const pair of m.items) {
    const key = keyOf(pair, fail);
    const v = scalarString(pair.value as Node | null, fail);
    switch (key) {
      case 'cert_file':
        t.certFile = v === '' ? '' : resolve(dir, v);
        break;
      case 'key_file':
        t.keyFile = v === '' ? '' : resolve(dir, v);
        break;
      case 'client_ca_file':
        t.clientCaFile = v === '' ? '' : resolve(dir, v);
        break;
      case 'client_auth_type':
        if (v === '') break;
        if (!CLIENT_AUTH_TYPES.includes(v as ClientAuthType)) fail(pair, `invalid client_auth_type "${v}" (one of ${CLIENT_AUTH_TYPES.join(', ')})`);
        t.clientAuthType = v as ClientAuthType;
        clientAuthSet = true;
        break;
      case 'min_version':
      case 'max_version':
        if (v === '') break;
        if (!TLS_VERSIONS.includes(v as TlsVersionName)) fail(pair, `unknown TLS version: ${v}`);
        if (key === 'min_version') t.minVersion = v as TlsVersionName;
        else t.maxVersion = v as TlsVersionName;
        break;
      case 'cipher_suites':
      case 'curve_preferences':
      case 'prefer_server_cipher_suites':
        // Node picks its own secure defaults; accepted for file compatibility.
        break;
      default:
        fail(pair, `field ${key} not found in type web.TLSConfig`);
    }
  }
  if (t.certFile === '' && t.keyFile === '' && t.clientCaFile === '' && !clientAuthSet) return null;
  if (t.certFile === '') fail(at, 'tls_server_config: missing cert_file');
  if (t.keyFile === '') fail(at, 'tls_server_config: missing key_file');
  const verifying = t.clientAuthType === 'VerifyClientCertIfGiven' || t.clientAuthType === 'RequireAndVerifyClientCert';
  if (verifying && t.clientCaFile === '') fail(at, `tls_server_config: client_auth_type ${t.clientAuthType} needs client_ca_file`);
  if (!verifying && t.clientCaFile !== '' && !clientAuthSet) fail(at, "tls_server_config: client CA's have been configured without a client_auth_type");
  if (t.maxVersion !== '' && TLS_VERSIONS.indexOf(t.maxVersion) < TLS_VERSIONS.indexOf(t.minVersion)) fail(at, 'tls_server_config: max_version is lower than min_version');
  return t;
}

function parseHttpServer(m: YAMLMap, cfg: WebConfig, fail: Fail): void {
  for (const pair of m.items) {
    const key = keyOf(pair, fail);
    const value = pair.value as Node | null;
    if (key === 'http2') {
      if (!isScalar(value) || typeof value.value !== 'boolean') fail(pair, 'http_server_config.http2: expected true or false');
      cfg.http2 = (value as { value: boolean }).value;
    } else if (key === 'headers') {
      if (value === null) continue;
      for (const h of asMap(value, 'headers', fail).items) {
        const name = keyOf(h, fail);
        const v = scalarString(h.value as Node | null, fail);
        const allowed = ALLOWED_HEADERS[name.toLowerCase()];
        if (allowed === undefined) fail(h, `HTTP header ${JSON.stringify(name)} can not be configured`);
        if (allowed !== null && !allowed.includes(v.toLowerCase())) fail(h, `invalid value for ${name}. Expected one of: ${allowed.join(', ')}, but got: ${JSON.stringify(v)}`);
        cfg.headers[name] = v;
      }
    } else {
      fail(pair, `field ${key} not found in type web.HTTPConfig`);
    }
  }
}
