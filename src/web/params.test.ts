import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MatchType } from '../model/index.js';
import { formatGoFloat, maskSecrets, MAX_TIME, MIN_TIME, ParamError, parseMatcherSets, parseSeriesSelector, parseTime, parseWebConfig } from './index.js';

test('times parse like Prometheus: unix seconds with ms rounding, RFC3339, the min/max spellings', () => {
  assert.equal(parseTime('1700000000'), 1_700_000_000_000);
  assert.equal(parseTime('1700000000.1234'), 1_700_000_000_123);
  assert.equal(parseTime('1700000000.1235'), 1_700_000_000_124);
  assert.equal(parseTime('1e9'), 1_000_000_000_000);
  assert.equal(parseTime('-1.5'), -1500);
  assert.equal(parseTime('2023-11-14T22:13:20Z'), 1_700_000_000_000);
  assert.equal(parseTime('2023-11-14T22:13:20.5Z'), 1_700_000_000_500);
  assert.equal(parseTime('2023-11-14T23:13:20.123456789+01:00'), 1_700_000_000_123);
  assert.equal(parseTime('-292273086-05-16T16:47:06Z'), MIN_TIME);
  assert.equal(parseTime('292277025-08-18T07:12:54.999999999Z'), MAX_TIME);
  assert.equal(parseTime('+Inf'), MAX_TIME);
  for (const bad of ['abc', '', '1.5e400', '2023-11-14t22:13:20Z', '2023-02-30T00:00:00Z', '2023-11-14T22:13:20', '2023-11-14 22:13:20Z']) {
    assert.throws(() => parseTime(bad), (e: Error) => e instanceof ParamError && e.message === `cannot parse ${JSON.stringify(bad)} to a valid timestamp`, bad);
  }
});

test('series selectors parse to matchers and bad ones fail with a position', () => {
  const m = parseSeriesSelector('http_requests_total{job="api", code=~"5..", path!="/x",method!~"GET|HEAD",}');
  assert.deepEqual(
    m.map((x) => [x.name, x.type, x.value]),
    [
      ['__name__', MatchType.Equal, 'http_requests_total'],
      ['job', MatchType.Equal, 'api'],
      ['code', MatchType.Regexp, '5..'],
      ['path', MatchType.NotEqual, '/x'],
      ['method', MatchType.NotRegexp, 'GET|HEAD'],
    ],
  );
  assert.deepEqual(parseSeriesSelector(`{a='x\\'y', b=\`raw\\n\`, c="\\u00e9\\x41\\101"}`).map((x) => x.value), ["x'y", 'raw\\n', 'éAA']);
  assert.deepEqual(parseSeriesSelector('ns:metric:rate5m').map((x) => x.value), ['ns:metric:rate5m']);
  for (const bad of ['up + 1', 'up{', 'up{job}', 'up{job="a"', 'sum', '{job=~"("}', '', 'up offset 5m', '"str"', 'up{job=="a"}']) {
    assert.throws(() => parseSeriesSelector(bad), (e: Error) => e instanceof ParamError && /^\d+:\d+: parse error: /.test(e.message), bad);
  }
  // Messages as Prometheus 2.42 words them (checked against it).
  const exact: Array<[string, string]> = [
    ['up{job}', '1:7: parse error: unexpected "}" in label matching, expected label matching operator'],
    ['up{job="a",,}', '1:12: parse error: unexpected "," in label matching, expected identifier or "}"'],
    ['up}', "1:3: parse error: unexpected character: '}'"],
    ['up offset 5m', '1:4: parse error: unexpected <offset>'],
    ['up == 1', '1:4: parse error: unexpected <op:==>'],
    ['sum(up)', '1:4: parse error: unexpected "("'],
    ['up{job=="a"}', '1:8: parse error: unexpected "=" in label matching, expected string'],
    ['up{job!}', "1:7: parse error: unexpected character after '!' inside braces: '}'"],
    ['"up"', '1:1: parse error: unexpected string "\\"up\\""'],
    ['up{1job="a"}', "1:4: parse error: unexpected character inside braces: '1'"],
    ['up{job="a\\xZZ"}', "1:8: parse error: illegal character U+005A 'Z' in escape sequence"],
    ['up{job="a\\q"}', "1:8: parse error: unknown escape sequence U+0071 'q'"],
  ];
  // Regex errors in Go's words.
  const re = (r: string): string => `{job=~${JSON.stringify(r)}}`;
  exact.push(
    [re('('), '1:2: parse error: error parsing regexp: missing closing ): `^(?:()$`'],
    [re('a)'), '1:2: parse error: error parsing regexp: unexpected ): `^(?:a))$`'],
    [re('*'), '1:2: parse error: error parsing regexp: missing argument to repetition operator: `*`'],
    [re('[a'), '1:2: parse error: error parsing regexp: missing closing ]: `[a)$`'],
    [re('a{3,2}'), '1:2: parse error: error parsing regexp: invalid repeat count: `{3,2}`'],
    [re('[z-a]'), '1:2: parse error: error parsing regexp: invalid character class range: `z-a`'],
    [re('a**'), '1:2: parse error: error parsing regexp: invalid nested repetition operator: `**`'],
    [re('\\q'), '1:2: parse error: error parsing regexp: invalid escape sequence: `\\q`'],
    [re('x{1001}'), '1:2: parse error: error parsing regexp: invalid repeat count: `{1001}`'],
  );
  for (const [sel, msg] of exact) assert.throws(() => parseSeriesSelector(sel), (e: Error) => e.message === msg, `${sel}: ${msg}`);
  // Prometheus' selector parser accepts a second __name__ matcher (it just matches nothing).
  assert.equal(parseSeriesSelector('up{__name__="x"}').length, 2);
  assert.throws(() => parseMatcherSets(['{job=""}']), /match\[\] must contain at least one non-empty matcher/);
  assert.throws(() => parseMatcherSets(['up', '{a=~".*"}']), /at least one non-empty matcher/);
  assert.equal(parseMatcherSets(['{a=~".+"}']).length, 1);
});

test('floats are written as the Prometheus text format writes them', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [-1, '-1'],
    [0.5, '0.5'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [1e21, '1e+21'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [1e100, '1e+100'],
  ];
  for (const [v, want] of cases) assert.equal(formatGoFloat(v), want, String(v));
});

test('web config files are validated strictly, with positions', () => {
  const hash = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
  const c = parseWebConfig(`tls_server_config:\n  cert_file: c.pem\n  key_file: /abs/k.pem\nbasic_auth_users:\n  alice: ${hash}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`, '/etc/vigil/web.yml');
  assert.equal(c.tls?.certFile, '/etc/vigil/c.pem');
  assert.equal(c.tls?.keyFile, '/abs/k.pem');
  assert.equal(c.tls?.minVersion, 'TLS12');
  assert.equal(c.basicAuthUsers.get('alice'), hash);
  assert.deepEqual(c.headers, { 'X-Frame-Options': 'deny' });
  assert.equal(parseWebConfig('', 'w.yml').tls, null);
  assert.throws(() => parseWebConfig('tls_server_config:\n  cert_file: a\n', 'w.yml'), /missing key_file/);
  assert.throws(() => parseWebConfig('basic_auth_users:\n  bob: plain\n', 'w.yml'), /^WebConfigError: w\.yml:2:3: .*not a bcrypt hash/);
  assert.throws(() => parseWebConfig('tls_server_confg:\n  cert_file: a\n', 'w.yml'), /w\.yml:1:1: field tls_server_confg not found/);
  assert.throws(() => parseWebConfig('http_server_config:\n  headers:\n    Set-Cookie: x\n', 'w.yml'), /can not be configured/);
  assert.throws(() => parseWebConfig('tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS99\n', 'w.yml'), /unknown TLS version/);
  assert.throws(() => parseWebConfig('a: [', 'w.yml'), /w\.yml:\d+:\d+/);
});

test('secrets in the shown configuration are masked, everything else kept', () => {
  const text = `# comment stays
scrape_configs:
  - job_name: a
    basic_auth:
      username: u
      password: hunter2
      password_file: /etc/pw
    authorization:
      credentials: "tok"
  - job_name: b
    bearer_token: abc
remote_write:
  - url: http://x
    headers:
      X-Scope-OrgID: team
`;
  const masked = maskSecrets(text);
  assert.doesNotMatch(masked, /hunter2|tok"|abc/);
  assert.equal(masked.match(/<secret>/g)?.length, 3);
  assert.match(masked, /# comment stays/);
  assert.match(masked, /password_file: \/etc\/pw/);
  assert.match(masked, /username: u/);
  assert.match(masked, /X-Scope-OrgID: team/);
  assert.equal(maskSecrets('global: {}\n'), 'global: {}\n');
  assert.doesNotMatch(maskSecrets('password: [unclosed\n'), /unclosed/);
});
