import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { parseConfig } from '../config/index.js';
import { MemoryStorage } from '../storage/index.js';
import { eventually, PROMETHEUS_BIN, skipUnless, startPrometheus, type PrometheusPeer } from '../testutil/index.js';
import { nopLogger } from '../util/index.js';
import { ScrapeManager, type ActiveTarget } from './index.js';

/**
 * Malformed and edge-case exposition bodies scraped by the real Prometheus 2.42
 * and by Vigil: the accept/reject verdict (up 1 vs 0) must agree per body, and a
 * rejected body must leave an error in lastError. `differs` documents the few
 * cases where Vigil deliberately decides otherwise.
 */
const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

interface Case {
  name: string;
  body: string | Buffer;
  type?: string | null;
  /** Expected Vigil verdict when it deliberately differs from Prometheus 2.42 (reason in the docs). */
  differs?: { vigilUp: boolean; why: string };
}

const bigValue = 'x'.repeat(100_000);
const CASES: Case[] = [
  { name: 'valid text', body: '# HELP foo A help.\n# TYPE foo counter\nfoo{a="1"} 1\nfoo{a="2"} 2 1700000000000\n' },
  { name: 'truncated label set', body: 'foo{a="1"\n' },
  { name: 'truncated label value at end of body', body: 'foo{a="1' },
  { name: 'missing value', body: 'foo\n' },
  { name: 'missing value after labels', body: 'foo{a="b"}\n' },
  { name: 'unknown escape kept verbatim', body: 'foo{a="\\q"} 1\n' },
  { name: 'escaped quote, backslash and newline', body: 'foo{a="\\"\\\\\\n"} 1\n' },
  { name: 'duplicate series same value', body: 'foo 1\nfoo 1\n' },
  { name: 'duplicate series different value', body: 'foo 1\nfoo 2\n' },
  { name: 'NaN and Inf spellings', body: 'a NaN\nb nan\nc Inf\nd +Inf\ne -inf\nf infinity\ng -Infinity\nh NAN\n' },
  { name: 'signed NaN', body: 'a +NaN\n' },
  { name: 'huge label value', body: `foo{a="${bigValue}"} 1\n` },
  { name: 'unknown TYPE', body: '# TYPE foo bogus\nfoo 1\n' },
  { name: 'TYPE untyped', body: '# TYPE foo untyped\nfoo 1\n' },
  { name: 'invalid UTF-8 in label value', body: Buffer.concat([Buffer.from('foo{a="'), Buffer.from([0xff, 0xfe]), Buffer.from('"} 1\n')]) },
  { name: 'invalid UTF-8 in comment', body: Buffer.concat([Buffer.from('# hello '), Buffer.from([0xff]), Buffer.from('\nfoo 1\n')]) },
  { name: 'invalid UTF-8 in HELP', body: Buffer.concat([Buffer.from('# HELP foo bad '), Buffer.from([0xc3, 0x28]), Buffer.from('\nfoo 1\n')]) },
  { name: 'valid UTF-8 label value', body: 'foo{a="héllo ✓ 日本"} 1\n' },
  { name: 'no trailing newline', body: 'foo 1' },
  { name: 'negative timestamp', body: 'foo 1 -1000\n' },
  { name: 'float timestamp in text format', body: 'foo 1 1.5\n' },
  { name: 'underscore in value', body: 'foo 1_000\n' },
  { name: 'hex value', body: 'foo 0x10\n' },
  { name: 'value out of float range', body: 'foo 1e400\n' },
  { name: 'tiny value underflows to zero', body: 'foo 1e-400\n' },
  { name: 'label name starting with a digit', body: 'foo{1a="x"} 1\n' },
  { name: 'metric name starting with a digit', body: '1foo 1\n' },
  { name: 'empty body', body: '' },
  { name: 'only comments', body: '# just a comment\n#another\n' },
  { name: 'empty label set', body: 'foo{} 1\n' },
  { name: 'labels without comma', body: 'foo{a="1"b="2"} 1\n' },
  { name: 'trailing comma in labels', body: 'foo{a="1",} 1\n' },
  { name: 'lone comma in labels', body: 'foo{,} 1\n' },
  { name: 'extra whitespace', body: 'foo  {a="1"}   1   123\n\n\n   bar 2\n' },
  { name: 'duplicate label name', body: 'foo{a="1",a="2"} 1\n' },
  { name: 'HELP without metric name', body: '# HELP\nfoo 1\n' },
  { name: 'raw newline in label value', body: 'foo{a="x\ny"} 1\n' },
  { name: 'CRLF line endings', body: 'foo 1\r\nbar 2\r\n' },
  { name: 'timestamp overflow', body: 'foo 1 99999999999999999999\n' },
  { name: 'colon in metric name', body: 'foo:bar:total 1\n' },
  { name: 'two timestamps', body: 'foo{a="1"} 1 123 456\n' },
  { name: 'equals instead of label value', body: 'foo{a=} 1\n' },
  { name: 'label without equals', body: 'foo{a "1"} 1\n' },
  { name: 'unknown content type falls back to text', body: 'foo 1\n', type: 'application/json' },
  { name: 'missing content type', body: 'foo 1\n', type: null },
  { name: 'unparsable content type', body: 'foo 1\n', type: 'text/plain;;;=' },
  { name: 'NUL byte in label value', body: 'foo{a="x\u0000y"} 1\n' },
  { name: 'byte order mark', body: '\uFEFFfoo 1\n' },
  { name: 'tab separators', body: 'foo\t1\t123\nbar{a="1"}\t2\n' },
  { name: 'no space between labels and value', body: 'foo{a="1"}1\n' },
  { name: 'label set without metric name', body: '{a="b"} 1\n' },
  { name: 'empty label name', body: 'foo{="a"} 1\n' },
  { name: '__name__ given as a label too', body: 'foo{__name__="bar"} 1\n' },
  { name: 'duplicate TYPE lines', body: '# TYPE foo counter\n# TYPE foo gauge\nfoo 1\n' },
  { name: 'sample timestamp far in the past', body: 'old 1 1000\nnew 2\n' },
  { name: 'thousand labels', body: `many{${Array.from({ length: 1000 }, (_, i) => `l${i}="v"`).join(',')}} 1\n` },
  { name: 'very long metric name', body: `${'m'.repeat(10_000)} 1\n` },
  { name: 'TYPE with trailing space', body: '# TYPE foo counter \nfoo 1\n' },
  { name: 'HELP with tab separator', body: '#\tHELP foo some help\nfoo 1\n' },
  { name: 'OpenMetrics HELP without text', type: OM, body: '# HELP foo\nfoo 1\n# EOF\n' },
  { name: 'OpenMetrics counter without _total', type: OM, body: '# TYPE foo counter\nfoo 1\n# EOF\n' },
  { name: 'OpenMetrics exemplar without timestamp', type: OM, body: 'foo_total 1 # {a="b"} 1\n# EOF\n' },
  { name: 'OpenMetrics long exemplar labels', type: OM, body: `foo_total 1 # {a="${'x'.repeat(200)}"} 1\n# EOF\n` },
  { name: 'OpenMetrics negative timestamp', type: OM, body: 'foo 1 -1.5\n# EOF\n' },
  { name: 'OpenMetrics tab separator', type: OM, body: 'foo\t1\n# EOF\n' },
  { name: 'OpenMetrics # EOF with trailing blank line', type: OM, body: 'foo 1\n# EOF\n\n' },
  { name: 'OpenMetrics valid', type: OM, body: '# TYPE foo counter\n# HELP foo A help.\nfoo_total{a="1"} 1\nfoo_created{a="1"} 1.7e9\n# EOF\n' },
  { name: 'OpenMetrics without # EOF', type: OM, body: '# TYPE foo gauge\nfoo 1\n' },
  { name: 'OpenMetrics # EOF without newline', type: OM, body: 'foo 1\n# EOF' },
  { name: 'OpenMetrics data after # EOF', type: OM, body: 'foo 1\n# EOF\nbar 2\n' },
  { name: 'OpenMetrics blank line', type: OM, body: 'foo 1\n\nbar 2\n# EOF\n' },
  { name: 'OpenMetrics free comment', type: OM, body: '# hello\nfoo 1\n# EOF\n' },
  { name: 'OpenMetrics exemplar', type: OM, body: '# TYPE foo counter\nfoo_total 1 # {trace_id="abc"} 1 1700000000.5\n# EOF\n' },
  { name: 'OpenMetrics float timestamp', type: OM, body: 'foo 1 1700000000.123\n# EOF\n' },
  { name: 'OpenMetrics double space', type: OM, body: 'foo  1\n# EOF\n' },
  { name: 'OpenMetrics untyped TYPE', type: OM, body: '# TYPE foo untyped\nfoo 1\n# EOF\n' },
  { name: 'OpenMetrics unit not a suffix', type: OM, body: '# TYPE foo gauge\n# UNIT foo seconds\nfoo 1\n# EOF\n' },
  { name: 'OpenMetrics unit suffix', type: OM, body: '# TYPE foo_seconds gauge\n# UNIT foo_seconds seconds\nfoo_seconds 1\n# EOF\n' },
  { name: 'OpenMetrics stateset and info', type: OM, body: '# TYPE s stateset\ns{s="a"} 1\ns{s="b"} 0\n# TYPE i info\ni_info{v="1"} 1\n# EOF\n' },
  { name: 'OpenMetrics histogram', type: OM, body: '# TYPE h histogram\nh_bucket{le="1"} 0\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n# EOF\n' },
  { name: 'OpenMetrics newline in label value', type: OM, body: 'foo{a="x\ny"} 1\n# EOF\n' },
  { name: 'OpenMetrics NaN timestamp', type: OM, body: 'foo 1 NaN\n# EOF\n' },
  { name: 'OpenMetrics text body', type: OM, body: '# TYPE foo untyped\nfoo 1\n' },
  { name: 'OpenMetrics label space after comma', type: OM, body: 'foo{a="1", b="2"} 1\n# EOF\n' },
];

let server: Server;
let port = 0;
let prom: PrometheusPeer | null = null;
let manager: ScrapeManager | null = null;
const skip = skipUnless(PROMETHEUS_BIN, 'prometheus');

function configYaml(): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: corpus
    relabel_configs:
      - source_labels: [case]
        target_label: __metrics_path__
        replacement: /c/$1
    static_configs:
${CASES.map((_, i) => `      - targets: ['127.0.0.1:${port}']\n        labels: {case: '${i}'}`).join('\n')}
`;
}

before(async () => {
  server = createServer((req, res) => {
    const m = /^\/c\/(\d+)$/.exec(req.url ?? '');
    const c = m ? CASES[Number(m[1])] : undefined;
    if (!c) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const type = c.type === undefined ? TEXT : c.type;
    if (type !== null) res.setHeader('Content-Type', type);
    res.end(c.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  await manager?.stop();
  await prom?.stop();
  await new Promise((r) => server.close(r));
});

type PromTarget = { labels: Record<string, string>; health: string; lastError: string };

test('every corpus body gets the same verdict from Prometheus 2.42 and Vigil', { skip, timeout: 90_000 }, async () => {
  assert.ok(CASES.length >= 25);
  const yaml = configYaml();
  prom = await startPrometheus(yaml);
  const storage = new MemoryStorage();
  manager = new ScrapeManager({ appendable: storage, logger: nopLogger() });
  await manager.applyConfig(parseConfig(yaml, 'corpus.yml'));

  const promTargets = await eventually(async () => {
    const d = await prom!.api<{ activeTargets: PromTarget[] }>('targets');
    return d.activeTargets.length === CASES.length && d.activeTargets.every((t) => t.health !== 'unknown') ? d.activeTargets : null;
  }, 30_000);
  const ours = await eventually(async () => {
    const a = manager!.activeTargets();
    return a.length === CASES.length && a.every((t) => t.health !== 'unknown') ? a : null;
  }, 30_000);

  const byCase = (labels: Record<string, string>): number => Number(labels['case']);
  const promVerdict = new Map(promTargets.map((t) => [byCase(t.labels), t]));
  const ourVerdict = new Map(ours.map((t: ActiveTarget) => [Number(t.labels.find((l) => l.name === 'case')!.value), t]));
  const mismatches: string[] = [];
  const table: string[] = [];
  CASES.forEach((c, i) => {
    const p = promVerdict.get(i)!;
    const v = ourVerdict.get(i)!;
    const promUp = p.health === 'up';
    const ourUp = v.health === 'up';
    const expectedOurs = c.differs ? c.differs.vigilUp : promUp;
    if (ourUp !== expectedOurs) mismatches.push(`#${i} ${c.name}: prometheus up=${promUp} (${p.lastError}) vigil up=${ourUp} (${v.lastError})`);
    table.push(`#${i} ${c.name}: prometheus ${promUp ? 'up' : 'down'}${promUp ? '' : ` (${p.lastError})`}; vigil ${ourUp ? 'up' : 'down'}${ourUp ? '' : ` (${v.lastError})`}`);
    if (!ourUp && v.lastError === '') mismatches.push(`#${i} ${c.name}: down without lastError`);
  });
  if (process.env['VIGIL_CORPUS_TABLE']) process.stderr.write(table.join('\n') + '\n');
  assert.deepEqual(mismatches, []);
  // Both processes are still serving after the corpus.
  assert.equal(prom.proc.proc.exitCode, null);
  assert.ok((await fetch(`${prom.url}/-/healthy`)).ok);
});
