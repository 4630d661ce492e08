import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../config/index.js';
import { MemoryStorage } from '../storage/index.js';
import { eventually, findBinary, skipUnless, tempDir } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { ScrapeManager } from './index.js';

const OPENSSL = findBinary('openssl');

function makeCerts(dir: string): void {
  const run = (...args: string[]): void => void execFileSync(OPENSSL!, args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=vigil-test-ca');
  for (const [name, san] of [
    ['server', 'DNS:vigil.test'],
    ['client', 'DNS:client.vigil.test'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
}

test('https scrapes verify the server with ca_file/server_name, support client certs and insecure_skip_verify', { skip: skipUnless(OPENSSL, 'openssl'), timeout: 30_000 }, async () => {
  const d = tempDir('vigil-tls-');
  makeCerts(d.path);
  const srv = createServer(
    { key: readFileSync(join(d.path, 'server.key')), cert: readFileSync(join(d.path, 'server.pem')), ca: readFileSync(join(d.path, 'ca.pem')), requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const authorized = (req.socket as import('node:tls').TLSSocket).authorized;
      res.setHeader('Content-Type', 'text/plain; version=0.0.4');
      res.end(`tls_client_cert ${authorized ? 1 : 0}\n`);
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const st = new MemoryStorage();
  const m = new ScrapeManager({ appendable: st, logger: nopLogger() });
  try {
    const job = (name: string, tls: string): string =>
      `  - job_name: ${name}\n    scheme: https\n    scrape_interval: 300ms\n    scrape_timeout: 250ms\n    tls_config: ${tls}\n    static_configs: [{targets: ['127.0.0.1:${port}']}]\n`;
    await m.applyConfig(
      parseConfig(
        'scrape_configs:\n' +
          job('ca', '{ca_file: ca.pem, server_name: vigil.test}') +
          job('mtls', '{ca_file: ca.pem, server_name: vigil.test, cert_file: client.pem, key_file: client.key}') +
          job('unknown-ca', '{server_name: vigil.test}') +
          job('wrong-name', '{ca_file: ca.pem, server_name: other.test}') +
          job('skip', '{insecure_skip_verify: true}'),
        join(d.path, 'prometheus.yml'),
      ),
    );
    await eventually(async () => m.activeTargets().every((t) => t.health !== 'unknown'), 10_000);
    const by = new Map(m.activeTargets().map((t) => [t.scrapePool, t]));
    assert.equal(by.get('ca')!.health, 'up');
    assert.equal(by.get('mtls')!.health, 'up');
    assert.equal(by.get('skip')!.health, 'up');
    assert.equal(by.get('unknown-ca')!.health, 'down');
    assert.match(by.get('unknown-ca')!.lastError, /certificate/i);
    assert.equal(by.get('wrong-name')!.health, 'down');
    const q = await st.querier(0, Date.now() + 1000);
    const vals = new Map<string, number>();
    for (const s of await q.select(null, [])) {
      if (s.labels.find((l) => l.name === '__name__')?.value !== 'tls_client_cert') continue;
      const it = s.iterator();
      while (it.next()) vals.set(s.labels.find((l) => l.name === 'job')!.value, it.v);
    }
    assert.equal(vals.get('mtls'), 1, 'client certificate presented');
    assert.equal(vals.get('ca'), 0);
  } finally {
    await m.stop();
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
    d.cleanup();
  }
});
