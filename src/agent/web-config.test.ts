import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BasicAuth, clientCertAllowed, parseWebConfig } from './index.js';

test('clientCertAllowed follows Go tls.ClientAuthType for the modes Node leaves to the handler', () => {
  const none = { authorized: false, getPeerCertificate: () => ({}) };
  const unverified = { authorized: false, getPeerCertificate: () => ({ subject: { CN: 'x' } }) };
  const verified = { authorized: true, getPeerCertificate: () => ({ subject: { CN: 'x' } }) };
  assert.equal(clientCertAllowed('NoClientCert', none), true);
  assert.equal(clientCertAllowed('RequestClientCert', unverified), true);
  assert.equal(clientCertAllowed('RequireAnyClientCert', none), false);
  assert.equal(clientCertAllowed('RequireAnyClientCert', unverified), true);
  assert.equal(clientCertAllowed('VerifyClientCertIfGiven', none), true);
  assert.equal(clientCertAllowed('VerifyClientCertIfGiven', unverified), false);
  assert.equal(clientCertAllowed('VerifyClientCertIfGiven', verified), true);
});

test('parseWebConfig validates strictly and BasicAuth checks bcrypt hashes ($2y$ too)', async () => {
  await assert.rejects(parseWebConfig('nope: 1\n', 'w.yml'), /w\.yml: field nope not found in web config/);
  await assert.rejects(parseWebConfig('tls_server_config:\n  key_file: k\n', 'w.yml'), /missing cert_file/);
  await assert.rejects(parseWebConfig('basic_auth_users:\n  a: plain\n', 'w.yml'), /basic_auth_users\.a is not a bcrypt hash/);
  await assert.rejects(parseWebConfig('basic_auth_users: [1\n', 'w.yml'), /w\.yml: /);
  // bcrypt("secret", cost 4), written with htpasswd's $2y$ prefix.
  const bcrypt = (await import('bcryptjs')).default;
  const hash = bcrypt.hashSync('secret', 4).replace(/^\$2[ab]\$/, '$2y$');
  const cfg = await parseWebConfig(`basic_auth_users:\n  alice: ${hash}\nhttp_server_config:\n  headers:\n    X-Test: 1\n`, 'w.yml');
  assert.equal(cfg.headers['X-Test'], '1');
  assert.equal(cfg.clientAuth, 'NoClientCert');
  const auth = new BasicAuth(cfg.users);
  const header = (u: string, p: string): string => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
  assert.equal(await auth.check(header('alice', 'secret')), true);
  assert.equal(await auth.check(header('alice', 'secret')), true, 'cached');
  assert.equal(await auth.check(header('alice', 'wrong')), false);
  assert.equal(await auth.check(header('bob', 'secret')), false);
  assert.equal(await auth.check(undefined), false);
  assert.equal(await auth.check('Bearer x'), false);
  assert.equal(await new BasicAuth(new Map()).check(undefined), true, 'no users: open');
});
