/**
 * A real SMTP server for notification tests (the `smtp-server` package): STARTTLS with
 * a self-signed certificate made by openssl, AUTH PLAIN/LOGIN against one user, every
 * received message kept with what the session saw (TLS, authenticated user), plus a
 * minimal MIME reader for the headers and text/html parts nodemailer produces.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { findBinary } from './index.js';

export const OPENSSL_BIN = findBinary('openssl');

/** Writes cert.pem/key.pem for CN=localhost, IP 127.0.0.1 into `dir` (needs openssl). */
export function selfSignedCert(dir: string): { cert: string; key: string } {
  if (!OPENSSL_BIN) throw new Error('openssl is not installed');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(OPENSSL_BIN, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

export interface ReceivedMail {
  raw: string;
  /** The connection was TLS (after STARTTLS) when DATA was sent. */
  secure: boolean;
  /** The authenticated user ('' without AUTH). */
  user: string;
  mailFrom: string;
  rcptTo: string[];
  headers: Record<string, string>;
  text: string;
  html: string;
}

export interface AuthAttempt {
  method: string;
  username: string;
  password: string;
  /** AUTH came over a TLS connection. */
  secure: boolean;
}

export interface TestSmtpServer {
  port: number;
  /** host:port for smarthost. */
  smarthost: string;
  mails: ReceivedMail[];
  auths: AuthAttempt[];
  close(): Promise<void>;
}

export interface SmtpOptions {
  certFile: string;
  keyFile: string;
  username: string;
  password: string;
}

/** Listens on 127.0.0.1:<random>; offers STARTTLS, accepts AUTH only after it and only for the given user. */
export async function startSmtpServer(o: SmtpOptions): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const auths: AuthAttempt[] = [];
  const server = new SMTPServer({
    key: readFileSync(o.keyFile),
    cert: readFileSync(o.certFile),
    authMethods: ['PLAIN', 'LOGIN'],
    // The default already refuses AUTH before STARTTLS; spelled out since the tests rely on it.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, session, cb) {
      auths.push({ method: auth.method, username: auth.username ?? '', password: auth.password ?? '', secure: session.secure });
      if (auth.username === o.username && auth.password === o.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = parseMail(raw);
        mails.push({
          raw,
          secure: session.secure,
          user: String(session.user ?? ''),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          ...parsed,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    smarthost: `127.0.0.1:${port}`,
    mails,
    auths,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function decodeQP(s: string): string {
  const bytes: number[] = [];
  const src = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '=' && /^[0-9A-F]{2}$/i.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(src[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (nodemailer uses them for non-ASCII or long headers). */
function decodeWords(s: string): string {
  return s.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, txt: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(txt, 'base64').toString('utf8') : decodeQP(txt.replace(/_/g, ' ')),
  );
}

/** Minimal MIME reader: top-level headers (lower-cased names) and the decoded text/plain and text/html parts. */
export function parseMail(raw: string): { headers: Record<string, string>; text: string; html: string } {
  const split = (part: string): [Record<string, string>, string] => {
    const idx = part.indexOf('\r\n\r\n');
    const head = (idx < 0 ? part : part.slice(0, idx)).replace(/\r\n(?=[ \t])/g, '').replace(/\?=[ \t]+=\?/g, '?==?');
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).toLowerCase()] = decodeWords(line.slice(c + 1).trim());
    }
    return [headers, idx < 0 ? '' : part.slice(idx + 4)];
  };
  const [headers, body] = split(raw);
  const out = { headers, text: '', html: '' };
  const decode = (h: Record<string, string>, b: string): string => {
    const enc = (h['content-transfer-encoding'] ?? '').toLowerCase();
    if (enc === 'quoted-printable') return decodeQP(b);
    if (enc === 'base64') return Buffer.from(b.replace(/\s+/g, ''), 'base64').toString('utf8');
    return b;
  };
  const visit = (h: Record<string, string>, b: string): void => {
    const ct = h['content-type'] ?? 'text/plain';
    const bm = /boundary="?([^";]+)"?/.exec(ct);
    if (ct.startsWith('multipart/') && bm) {
      for (const p of b.split('--' + bm[1]).slice(1)) {
        if (p.startsWith('--')) break;
        const [ph, pb] = split(p.replace(/^\r\n/, ''));
        visit(ph, pb.replace(/\r\n$/, ''));
      }
    } else if (ct.startsWith('text/html')) out.html = decode(h, b);
    else out.text = decode(h, b);
  };
  visit(headers, body);
  return out;
}
