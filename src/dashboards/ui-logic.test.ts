/**
 * Unit tests of the UI's pure logic (units, template variables, time arithmetic, layout,
 * markdown). The modules live in ui/src (a separate browser build); they are bundled here with
 * esbuild, the bundler Vite uses, and imported from a temp file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { tempDir } from '../testutil/index.js';

const uiSrc = new URL('../../ui/src/', import.meta.url).pathname;

interface Formatted {
  text: string;
  suffix: string;
  prefix: string;
}
interface VarModel {
  name: string;
  type: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  query?: string;
  current?: { value?: string | string[] };
  regex?: string;
  sort?: number;
}
interface VarState {
  model: VarModel;
  options: string[];
  selected: string[];
}
interface PanelLike {
  id?: number;
  repeat?: string;
  repeatDirection?: 'h' | 'v';
  maxPerRow?: number;
  type?: string;
  title?: string;
  collapsed?: boolean;
  gridPos?: { x: number; y: number; w: number; h: number };
  panels?: PanelLike[];
}
interface UiModules {
  formatValue(v: number | null, unit?: string, decimals?: number | null): Formatted;
  fmt(v: number | null, unit?: string, decimals?: number | null): string;
  thresholdColor(v: number | null, steps: Array<{ color: string; value: number | null }>, mode?: string, min?: number, max?: number): string;
  interpolate(text: string, vars: Map<string, VarState>, b?: { intervalMs: number; rateIntervalMs: number; rangeMs: number; fromMs: number; toMs: number }): string;
  formatVariable(s: VarState, format?: string): string;
  resolveOptions(model: VarModel, vars: Map<string, VarState>, b: unknown): Promise<string[]>;
  initialSelection(model: VarModel, options: string[], url: string[]): string[];
  parseDuration(s: string): number | null;
  formatDuration(ms: number): string;
  parseTimeExpr(s: string, now?: number): number | null;
  panelInterval(rangeMs: number, maxDataPoints: number, minIntervalMs: number): number;
  rateInterval(intervalMs: number, scrapeMs: number): number;
  layoutPanels(panels: PanelLike[], collapsed: Record<string, boolean>): Array<{ panel: PanelLike; x: number; y: number; w: number; h: number; collapsed?: boolean; rowKey?: string }>;
  renderMarkdown(src: string): string;
  expandRepeats(panels: PanelLike[], vars: Map<string, VarState>): Array<PanelLike & { scopedVars?: Record<string, string> }>;
  displayValue(v: number | null, unit: string | undefined, decimals: number | undefined, mappings: unknown[]): Formatted & { color?: string };
  legendName(format: string | undefined, labels: Record<string, string>, fallback: string): string;
  reduce(values: Array<number | null>, calc: string): number | null;
  seriesStyles(overrides: unknown[] | undefined, frames: Array<{ name: string; refId: string }>, defaultGroup?: string): Array<Record<string, unknown>>;
  stackValues(series: Array<{ values: Array<number | null>; stack?: boolean }>, n: number, mode?: 'normal' | 'percent'): Array<Array<number | null>>;
  grafanaRegex(s: string): RegExp | null;
}

let ui: UiModules;
const tmp = tempDir('vigil-ui-logic-');

before(async () => {
  const esbuild = await import('esbuild');
  const entry = [
    `export { formatValue, fmt, thresholdColor, displayValue } from '${uiSrc}dash/units.ts';`,
    `export { expandRepeats } from '${uiSrc}dash/repeat.ts';`,
    `export { interpolate, formatVariable, resolveOptions, initialSelection } from '${uiSrc}dash/variables.ts';`,
    `export { parseDuration, formatDuration, parseTimeExpr, panelInterval, rateInterval } from '${uiSrc}lib/time.ts';`,
    `export { layoutPanels } from '${uiSrc}dash/layout.ts';`,
    `export { renderMarkdown } from '${uiSrc}dash/markdown.ts';`,
    `export { legendName, reduce } from '${uiSrc}dash/data.ts';`,
    `export { seriesStyles, stackValues, grafanaRegex } from '${uiSrc}dash/overrides.ts';`,
  ].join('\n');
  const out = await esbuild.build({
    stdin: { contents: entry, resolveDir: uiSrc, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
    external: ['preact', 'preact/*'],
  });
  const file = join(tmp.path, 'ui-logic.mjs');
  writeFileSync(file, out.outputFiles[0]!.text);
  ui = (await import(pathToFileURL(file).href)) as UiModules;
});

after(() => tmp.cleanup());

test('units format like Grafana', () => {
  const f = (v: number, unit: string, dec?: number): string => ui.fmt(v, unit, dec);
  assert.equal(f(0, 'bytes'), '0 B');
  assert.equal(f(1536, 'bytes'), '1.50 KiB');
  assert.equal(f(25_000_000_000, 'bytes', 1), '23.3 GiB');
  assert.equal(f(1500, 'decbytes'), '1.50 kB');
  assert.equal(f(2048, 'bits'), '2 Kib');
  assert.equal(f(1_250_000, 'bps'), '1.25 Mbps');
  assert.equal(f(1_250_000, 'Bps'), '1.25 MB/s');
  assert.equal(f(42.123, 'percent', 1), '42.1%');
  assert.equal(f(0.5, 'percentunit'), '50%');
  assert.equal(f(0.0421, 'percentunit', 2), '4.21%');
  assert.equal(f(0.25, 's'), '250 ms');
  assert.equal(f(90, 's', 1), '1.5 min');
  assert.equal(f(4000, 's', 1), '1.1 hour');
  assert.equal(f(1500, 'ms'), '1.50 s');
  assert.equal(f(12, 'short'), '12');
  assert.equal(f(1_234_567, 'short', 2), '1.23 Mil');
  assert.equal(f(5300, 'short', 1), '5.3 K');
  assert.equal(f(12.5, 'ops', 1), '12.5 ops/s');
  assert.equal(f(3, 'reqps'), '3 req/s');
  assert.equal(f(3.14159, 'none', 2), '3.14');
  assert.equal(f(7, 'suffix: apples'), '7 apples');
  assert.equal(ui.fmt(null), 'No data');
  assert.equal(f(Number.NaN, 'short'), 'NaN');
  // Automatic decimals: about three significant digits.
  assert.equal(f(0.012345, 'short'), '0.0123');
  assert.equal(f(123.456, 'short'), '123');
});

test('threshold colours pick the last step at or below the value', () => {
  const steps = [
    { color: 'green', value: null },
    { color: 'orange', value: 70 },
    { color: 'red', value: 90 },
  ];
  assert.equal(ui.thresholdColor(10, steps), '#73bf69');
  assert.equal(ui.thresholdColor(70, steps), '#ff9830');
  assert.equal(ui.thresholdColor(95, steps), '#f2495c');
  assert.equal(ui.thresholdColor(0.95, steps, 'percentage', 0, 1), '#f2495c');
  assert.equal(ui.thresholdColor(5, [{ color: '#123456', value: null }]), '#123456');
});

function state(model: VarModel, options: string[], selected: string[]): VarState {
  return { model, options, selected };
}

test('variables interpolate with Grafana Prometheus formatting', () => {
  const vars = new Map<string, VarState>();
  vars.set('instance', state({ name: 'instance', type: 'query', multi: true, includeAll: true }, ['a:9100', 'b.example:9100'], ['$__all']));
  vars.set('job', state({ name: 'job', type: 'custom' }, ['node'], ['node']));
  vars.set('one', state({ name: 'one', type: 'query', multi: true }, ['x.y', 'z'], ['x.y']));
  vars.set('custom_all', state({ name: 'custom_all', type: 'query', includeAll: true, allValue: '.*' }, ['p', 'q'], ['$__all']));
  const b = { intervalMs: 30_000, rateIntervalMs: 60_000, rangeMs: 3_600_000, fromMs: 1_000_000, toMs: 3_601_000 };
  assert.equal(ui.interpolate('up{instance=~"$instance"}', vars, b), 'up{instance=~"(a:9100|b\\\\.example:9100)"}');
  assert.equal(ui.interpolate('up{job="$job"}', vars, b), 'up{job="node"}');
  assert.equal(ui.interpolate('up{job="${job}",i=~"[[one]]"}', vars, b), 'up{job="node",i=~"x\\\\.y"}');
  assert.equal(ui.interpolate('x{a=~"$custom_all"}', vars, b), 'x{a=~".*"}');
  assert.equal(ui.interpolate('${instance:csv}|${instance:pipe}', vars, b), 'a:9100,b.example:9100|a:9100|b.example:9100');
  assert.equal(ui.interpolate('rate(x[$__rate_interval]) [$__interval] $__range $__range_s $__interval_ms', vars, b), 'rate(x[1m]) [30s] 3600s 3600 30000');
  assert.equal(ui.interpolate('$unknown stays', vars, b), '$unknown stays');
});

test('custom and interval variables split their definitions; selection prefers the URL', async () => {
  const m = { name: 'env', type: 'custom', query: 'prod, staging\\,eu , dev : development', multi: true, includeAll: true };
  const opts = await ui.resolveOptions(m, new Map(), {});
  assert.deepEqual(opts, ['prod', 'staging,eu', 'development']);
  assert.deepEqual(await ui.resolveOptions({ name: 'i', type: 'interval', query: '1m,5m, 1h' }, new Map(), {}), ['1m', '5m', '1h']);
  assert.deepEqual(ui.initialSelection(m, opts, ['prod', 'nope']), ['prod']);
  assert.deepEqual(ui.initialSelection(m, opts, []), ['$__all']);
  assert.deepEqual(ui.initialSelection({ ...m, includeAll: false, multi: false, current: { value: 'development' } }, opts, []), ['development']);
  assert.deepEqual(ui.initialSelection({ ...m, includeAll: false, multi: false }, opts, ['All']), ['prod']);
});

test('time expressions, durations and Grafana intervals', () => {
  const now = 1_700_000_000_000;
  assert.equal(ui.parseTimeExpr('now', now), now);
  assert.equal(ui.parseTimeExpr('now-6h', now), now - 6 * 3_600_000);
  assert.equal(ui.parseTimeExpr('now-7d', now), now - 7 * 86_400_000);
  assert.equal(ui.parseTimeExpr('1700000000000', now), 1_700_000_000_000);
  assert.equal(ui.parseTimeExpr('garbage', now), null);
  assert.equal(ui.parseDuration('1h30m'), 5_400_000);
  assert.equal(ui.parseDuration('500ms'), 500);
  assert.equal(ui.parseDuration('1x'), null);
  assert.equal(ui.formatDuration(5_400_000), '1h30m');
  assert.equal(ui.formatDuration(90_000), '1m30s');
  // 1h over 1000 px → 3.6s → rounded to 5s, but never below the scrape interval.
  assert.equal(ui.panelInterval(3_600_000, 1000, 1000), 5000);
  assert.equal(ui.panelInterval(3_600_000, 1000, 15_000), 15_000);
  assert.equal(ui.panelInterval(7 * 86_400_000, 800, 15_000), 900_000);
  assert.equal(ui.rateInterval(15_000, 15_000), 60_000);
  assert.equal(ui.rateInterval(300_000, 15_000), 315_000);
});

test('layout stacks rows and collapses them like Grafana', () => {
  const panels: PanelLike[] = [
    { id: 1, type: 'stat', gridPos: { x: 0, y: 0, w: 12, h: 4 } },
    { id: 2, type: 'row', title: 'A', gridPos: { x: 0, y: 4, w: 24, h: 1 } },
    { id: 3, type: 'graph', gridPos: { x: 0, y: 5, w: 12, h: 8 } },
    { id: 4, type: 'graph', gridPos: { x: 12, y: 5, w: 12, h: 8 } },
    { id: 5, type: 'row', title: 'B', collapsed: true, gridPos: { x: 0, y: 13, w: 24, h: 1 }, panels: [{ id: 6, type: 'text', gridPos: { x: 0, y: 40, w: 24, h: 3 } }] },
    { id: 7, type: 'row', title: 'C', gridPos: { x: 0, y: 14, w: 24, h: 1 } },
  ];
  const open = ui.layoutPanels(panels, {});
  assert.deepEqual(open.map((l) => [l.panel.id, l.y, l.h]), [[1, 0, 4], [2, 4, 1], [3, 5, 8], [4, 5, 8], [5, 13, 1], [7, 14, 1]]);
  const rowA = open.find((l) => l.panel.id === 2)!.rowKey!;
  const rowB = open.find((l) => l.panel.id === 5)!.rowKey!;
  const toggled = ui.layoutPanels(panels, { [rowA]: true, [rowB]: false });
  // A collapsed: its graphs disappear and B moves up; B expanded: its text panel sits under it.
  assert.deepEqual(toggled.map((l) => [l.panel.id, l.y]), [[1, 0], [2, 4], [5, 5], [6, 6], [7, 9]]);
});

test('markdown escapes HTML and keeps only safe links', () => {
  const html = ui.renderMarkdown('# Title\nSome **bold** and `code` <script>alert(1)</script>\n\n- [ok](https://example.test/x)\n- [bad](javascript:alert(1))');
  assert.match(html, /<h1>Title<\/h1>/);
  assert.match(html, /<strong>bold<\/strong>/);
  assert.match(html, /&lt;script&gt;/);
  assert.ok(!html.includes('<script>'));
  assert.match(html, /<a href="https:\/\/example.test\/x"/);
  assert.ok(!html.includes('javascript:'));
});

test('legend formats and reducers', () => {
  assert.equal(ui.legendName('{{instance}} - {{ job }}', { instance: 'h:9100', job: 'node' }, 'e'), 'h:9100 - node');
  assert.equal(ui.legendName('', { __name__: 'up', job: 'node' }, 'e'), 'up{job="node"}');
  assert.equal(ui.legendName(undefined, {}, 'sum(up)'), 'sum(up)');
  assert.equal(ui.reduce([1, null, 3], 'lastNotNull'), 3);
  assert.equal(ui.reduce([1, 2, null], 'last'), null);
  assert.equal(ui.reduce([1, 2, 6], 'mean'), 3);
  assert.equal(ui.reduce([4, 1, 6], 'range'), 5);
  assert.equal(ui.reduce([], 'max'), null);
});

test('value mappings replace the formatted value and colour', () => {
  const mappings = [
    { type: 'value', options: { '1': { text: 'UP', color: 'green' } } },
    { type: 'range', options: { from: 2, to: 10, result: { text: 'some', color: 'orange' } } },
    { type: 'special', options: { match: 'null', result: { text: 'n/a' } } },
  ];
  assert.deepEqual(ui.displayValue(1, 'short', undefined, mappings), { prefix: '', text: 'UP', suffix: '', color: '#73bf69' });
  assert.equal(ui.displayValue(5, 'short', undefined, mappings).text, 'some');
  assert.equal(ui.displayValue(null, 'short', undefined, mappings).text, 'n/a');
  assert.equal(ui.displayValue(42, 'percent', undefined, mappings).text + ui.displayValue(42, 'percent', undefined, mappings).suffix, '42%');
});

test('repeated panels: one copy per value, horizontal rows wrap, later panels move down', () => {
  const vars = new Map<string, VarState>();
  vars.set('host', state({ name: 'host', type: 'custom', multi: true, includeAll: true }, ['a', 'b', 'c', 'd', 'e'], ['$__all']));
  const out = ui.expandRepeats(
    [
      { id: 1, type: 'stat', repeat: 'host', maxPerRow: 3, gridPos: { x: 0, y: 0, w: 6, h: 4 } },
      { id: 2, type: 'graph', gridPos: { x: 0, y: 4, w: 24, h: 8 } },
      { id: 3, type: 'graph', repeat: 'host', repeatDirection: 'v', gridPos: { x: 0, y: 12, w: 12, h: 5 } },
    ],
    vars,
  );
  const stats = out.filter((p) => p.type === 'stat');
  assert.deepEqual(stats.map((p) => [p.scopedVars?.['host'], p.gridPos?.x, p.gridPos?.y, p.gridPos?.w]), [['a', 0, 0, 8], ['b', 8, 0, 8], ['c', 16, 0, 8], ['d', 0, 4, 8], ['e', 8, 4, 8]]);
  assert.equal(out.find((p) => p.id === 2)!.gridPos!.y, 8);
  const vert = out.filter((p) => p.type === 'graph' && p.repeat);
  assert.deepEqual(vert.map((p) => p.gridPos!.y), [16, 21, 26, 31, 36]);
});

test('field overrides: matchers, later overrides win, stacking groups, negative-Y, hiding', () => {
  const frames = [
    { name: 'eth0 - Receive', refId: 'A' },
    { name: 'eth0 - Transmit', refId: 'B' },
    { name: 'Total', refId: 'C' },
  ];
  const overrides = [
    { matcher: { id: 'byRegexp', options: '/.*Transmit.*/' }, properties: [{ id: 'custom.transform', value: 'negative-Y' }] },
    { matcher: { id: 'byName', options: 'Total' }, properties: [{ id: 'custom.stacking', value: { group: false, mode: 'normal' } }, { id: 'custom.fillOpacity', value: 0 }, { id: 'color', value: { mode: 'fixed', fixedColor: 'dark-red' } }] },
    { matcher: { id: 'byFrameRefID', options: 'A' }, properties: [{ id: 'displayName', value: 'in' }, { id: 'color', value: { mode: 'fixed', fixedColor: '#112233' } }] },
    { matcher: { id: 'byFrameRefID', options: 'A' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: '#445566' } }] },
    { matcher: { id: 'byNames', options: { names: ['eth0 - Transmit'] } }, properties: [{ id: 'custom.hideFrom', value: { viz: true, legend: false, tooltip: false } }] },
    { matcher: { id: 'byType', options: 'time' }, properties: [{ id: 'custom.axisPlacement', value: 'hidden' }] },
    { matcher: { id: 'byRegexp', options: 'eth0' }, properties: [{ id: 'custom.lineWidth', value: 3 }] },
  ];
  const st = ui.seriesStyles(overrides, frames);
  assert.deepEqual(st[0], { displayName: 'in', color: '#445566' });
  assert.deepEqual(st[1], { negate: true, hidden: true });
  assert.deepEqual(st[2], { stack: false, fillOpacity: 0, color: '#c4162a' });
  // A plain (non-slash) pattern must match the whole name, as Grafana's stringToJsRegex does.
  assert.equal(ui.grafanaRegex('eth0')!.test('eth0 - Receive'), false);
  assert.equal(ui.grafanaRegex('/.*read*./')!.test('sda - Successfully read bytes'), true);
  assert.equal(ui.grafanaRegex('/(/'), null);
  assert.deepEqual(ui.seriesStyles(undefined, frames), [{}, {}, {}]);
  // A series in the panel's own group stays in the stack.
  assert.equal(ui.seriesStyles([{ matcher: { id: 'byName', options: 'Total' }, properties: [{ id: 'custom.stacking', value: { group: 'A', mode: 'normal' } }] }], frames)[2]!['stack'], true);
});

test('stacking: excluded series keep their values, percent stacks share the total', () => {
  const series = [{ values: [1, 2, null] }, { values: [3, 2, 4] }, { values: [10, 10, 10], stack: false }];
  assert.deepEqual(ui.stackValues(series, 3), [[1, 2, null], [4, 4, 4], [10, 10, 10]]);
  assert.deepEqual(ui.stackValues(series, 3, 'percent'), [[0.25, 0.5, null], [1, 1, 1], [10, 10, 10]]);
  assert.deepEqual(ui.stackValues([{ values: [0] }], 1, 'percent'), [[0]]);
});
