import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { Registry } from 'prom-client';
import { findBinary, tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { mountServiceRoutes, WebServer } from './index.js';

const OPENSSL = findBinary('openssl');

function openssl(args: string[], cwd: string): void {
  execFileSync(OPENSSL!, args, { cwd, stdio: 'ignore' });
}

/** A CA, a server cert for 127.0.0.1 and a client cert, all signed by the CA, plus an unrelated self-signed client. */
function makePki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca'], dir);
  for (const [name, cn, ext] of [
    ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext + '\n');
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`], dir);
  }
  openssl(['req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.pem', '-days', '1', '-subj', '/CN=rogue'], dir);
}

describe('TLS client certificates and basic auth (in process)', { skip: OPENSSL ? false : 'openssl is not installed' }, () => {
  const dir = tempDir('vigil-mtls-');
  let web: WebServer;
  let port: number;
  const read = (f: string): Buffer => readFileSync(join(dir.path, f));

  function get(opts: { cert?: string; auth?: string }): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/-/healthy',
          ca: read('ca.pem'),
          ...(opts.cert ? { cert: read(`${opts.cert}.pem`), key: read(`${opts.cert}.key`) } : {}),
          headers: opts.auth ? { Authorization: 'Basic ' + Buffer.from(opts.auth).toString('base64') } : {},
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  before(async () => {
    makePki(dir.path);
    const cfg = join(dir.path, 'web.yml');
    writeFileSync(
      cfg,
      `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.pem\n  min_version: TLS13\nhttp_server_config:\n  headers:\n    Strict-Transport-Security: max-age=60\nbasic_auth_users:\n  ops: ${bcrypt.hashSync('pw', 4)}\n`,
    );
    web = new WebServer({ listenAddress: '127.0.0.1:0', webConfigFile: cfg, logger: nopLogger() });
    mountServiceRoutes(web, { lifecycle: { enabled: false, ready: () => true, reload: async () => undefined, quit: () => undefined }, registry: new Registry() });
    web.setReady(true);
    await web.start();
    port = web.address().port;
  });
  after(async () => {
    await web.stop();
    dir.cleanup();
  });

  it('requires a client certificate signed by the configured CA', async () => {
    assert.equal(await get({ cert: 'client', auth: 'ops:pw' }), 200);
    await assert.rejects(get({ auth: 'ops:pw' }), 'no client certificate');
    await assert.rejects(get({ cert: 'rogue', auth: 'ops:pw' }), 'certificate from another CA');
  });

  it('still checks basic auth on top of the client certificate', async () => {
    assert.equal(await get({ cert: 'client' }), 401);
    assert.equal(await get({ cert: 'client', auth: 'ops:nope' }), 401);
  });

  it('adds the configured response headers', async () => {
    const hsts = await new Promise<string | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/-/healthy', ca: read('ca.pem'), cert: read('client.pem'), key: read('client.key'), headers: { Authorization: 'Basic ' + Buffer.from('ops:pw').toString('base64') } }, (res) => {
        res.resume();
        resolve(res.headers['strict-transport-security'] as string | undefined);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(hsts, 'max-age=60');
  });
});
