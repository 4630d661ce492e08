/**
 * Evaluates an AST over a step grid. Every node produces values for all steps
 * at once (typed arrays per series); selectors fetch each series once for the
 * whole range.
 */
import { METRIC_NAME, MatchType, Matcher, isStaleNaN, labelsCompare, labelsKey, type Labels } from '../model/index.js';
import type { Querier, Queryable } from '../storage/index.js';
import type { AtModifier, Call, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast.js';
import { aggregate } from './aggregate.js';
import { scalarBinop, vectorBinop, vectorScalarBinop } from './binop.js';
import { ERR_TOO_MANY_SAMPLES, EvalError } from './errors.js';
import { dropName, mergeSameLabels, setLabel } from './labels-util.js';
import { exprType } from './parser.js';
import { KEEPS_NAME_RANGE, RANGE_FUNCTIONS, type WindowCtx } from './range-functions.js';
import {
  DATE_FUNCS,
  ELEMENTWISE,
  absentLabels,
  applyElementwise,
  histogramQuantile,
  labelJoin,
  labelReplace,
} from './vector-functions.js';
import {
  gridTime,
  newStepSeries,
  type EvalValue,
  type Grid,
  type RangeValue,
  type RawSeries,
  type StepScalar,
  type StepSeries,
  type StepString,
  type StepVector,
} from './values.js';

export interface EvalOptions {
  compat: '2' | '3';
  lookbackDelta: number;
  maxSamples: number;
  defaultEvalInterval: number;
  deadline: number;
  signal?: AbortSignal;
  /** The query text, for annotation positions. */
  query?: string;
  /** Query start/end for @ start() / end(). */
  queryStart: number;
  queryEnd: number;
}

export class Evaluator {
  private samples = 0;
  /** Most samples held at once, and all samples read from storage (query stats). */
  peakSamples = 0;
  queryableSamples = 0;
  private lastYield = Date.now();
  private readonly warningSet = new Set<string>();
  private readonly infoSet = new Set<string>();

  get warnings(): string[] {
    return [...this.warningSet];
  }

  get infos(): string[] {
    return [...this.infoSet];
  }

  /**
   * Prometheus 3 annotations ("PromQL warning: ..." / "PromQL info: ..."), suffixed
   * with the line:col of the expression they refer to. Not produced in compat 2
   * (2.42 had none of these).
   */
  annotate(kind: 'warning' | 'info', text: string, pos: number): void {
    if (this.o.compat !== '3') return;
    let msg = `PromQL ${kind}: ${text}`;
    if (this.o.query !== undefined) {
      let line = 1;
      let last = -1;
      for (let i = 0; i < pos && i < this.o.query.length; i++) {
        if (this.o.query[i] === '\n') {
          line++;
          last = i;
        }
      }
      msg += ` (${line}:${pos - last})`;
    }
    (kind === 'warning' ? this.warningSet : this.infoSet).add(msg);
  }

  private quantileWarning(q: Float64Array, pos: number): void {
    for (const v of q) {
      if (!(v >= 0 && v <= 1)) {
        this.annotate('warning', `quantile value should be between 0 and 1, got ${formatGoG(v)}`, pos);
        return;
      }
    }
  }

  constructor(
    private readonly queryable: Queryable,
    private readonly o: EvalOptions,
  ) {}

  private checkLimits(): void {
    if (this.o.signal?.aborted) throw new EvalError('canceled', 'query was canceled in expression evaluation');
    if (Date.now() > this.o.deadline) throw new EvalError('timeout', 'query timed out in expression evaluation');
  }

  private addSamples(n: number): void {
    this.samples += n;
    if (this.samples > this.peakSamples) this.peakSamples = this.samples;
    if (this.samples > this.o.maxSamples) throw new EvalError('too_many_samples', ERR_TOO_MANY_SAMPLES);
  }

  /** Lets other requests (and cancellation) run during long evaluations. */
  private async maybeYield(): Promise<void> {
    this.checkLimits();
    if (Date.now() - this.lastYield > 20) {
      await new Promise((r) => setImmediate(r));
      this.lastYield = Date.now();
      this.checkLimits();
    }
  }

  async eval(e: Expr, g: Grid): Promise<EvalValue> {
    await this.maybeYield();
    switch (e.type) {
      case 'NumberLiteral':
        return { kind: 'scalar', vals: new Float64Array(g.n).fill(e.val) };
      case 'StringLiteral':
        return { kind: 'string', s: e.val };
      case 'ParenExpr':
        return this.eval(e.expr, g);
      case 'VectorSelector':
        return this.vectorSelector(e, g, false);
      case 'MatrixSelector':
        return this.matrixSelector(e, g);
      case 'SubqueryExpr':
        return this.subquery(e, g);
      case 'UnaryExpr': {
        const v = await this.eval(e.expr, g);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', vals: v.vals.map((x) => -x) };
        const sv = v as StepVector;
        const out = sv.series.map((s) => ({ labels: dropName(s.labels), vals: s.vals.map((x) => -x), has: s.has }));
        return { kind: 'vector', series: mergeSameLabels(out, g.n, true) };
      }
      case 'BinaryExpr': {
        const l = await this.eval(e.lhs, g);
        const r = await this.eval(e.rhs, g);
        if (l.kind === 'scalar' && r.kind === 'scalar') return scalarBinop(e, l, r, g.n);
        if (l.kind === 'vector' && r.kind === 'scalar') return vectorScalarBinop(e, l, r, false, g.n, this.o.compat);
        if (l.kind === 'scalar' && r.kind === 'vector') return vectorScalarBinop(e, r, l, true, g.n, this.o.compat);
        return vectorBinop(e, l as StepVector, r as StepVector, g.n, this.o.compat);
      }
      case 'AggregateExpr': {
        let param: StepScalar | string | null = null;
        if (e.param) {
          const p = await this.eval(e.param, g);
          param = p.kind === 'string' ? p.s : (p as StepScalar);
        }
        const v = (await this.eval(e.expr, g)) as StepVector;
        if (e.op === 'quantile' && param && typeof param !== 'string') this.quantileWarning(param.vals, e.param!.pos.start);
        return aggregate(e, v, param, g.n, this.o.compat);
      }
      case 'Call':
        return this.call(e, g);
    }
  }

  // ---- selectors ----

  private atMs(at: AtModifier | null): number | null {
    if (!at) return null;
    if (at.kind === 'ts') return at.ms;
    return at.kind === 'start' ? this.o.queryStart : this.o.queryEnd;
  }

  private refTimeFn(g: Grid, at: AtModifier | null, offset: number): (i: number) => number {
    const a = this.atMs(at);
    if (a !== null) return () => a - offset;
    return (i) => g.start + i * g.step - offset;
  }

  private scratchT = new Float64Array(1024);
  private scratchV = new Float64Array(1024);
  private querierP: Promise<Querier> | null = null;
  private bounds: { min: number; max: number } | null = null;

  /** Opens one Querier for the whole query (call before eval; closed by close()). */
  setBounds(min: number, max: number): void {
    if (Number.isFinite(min) && Number.isFinite(max)) this.bounds = { min, max };
  }

  /** Releases the query's Querier. */
  async close(): Promise<void> {
    const q = this.querierP;
    this.querierP = null;
    if (q) (await q).close();
  }

  private async querierFor(mint: number, maxt: number): Promise<{ q: Querier; shared: boolean }> {
    const b = this.bounds;
    if (b && mint >= b.min && maxt <= b.max) {
      this.querierP ??= this.queryable.querier(b.min, b.max);
      return { q: await this.querierP, shared: true };
    }
    return { q: await this.queryable.querier(mint, maxt), shared: false };
  }

  private async fetch(vs: VectorSelector, mint: number, maxt: number, keepStale: boolean): Promise<RawSeries[]> {
    const out: RawSeries[] = [];
    await this.eachSeries(vs, mint, maxt, keepStale, (r) => {
      this.addSamples(r.n);
      // Each series gets one exact-size copy of the scratch buffers.
      if (r.n > 0) out.push({ labels: r.labels, ts: r.ts.slice(0, r.n), vs: r.vs.slice(0, r.n), n: r.n });
    });
    return out;
  }

  /**
   * Decodes the selected series one after the other into reusable scratch buffers and
   * hands each to `fn` (synchronously, so the head cannot be truncated in between);
   * `fn` must not keep `ts`/`vs`, which the next series overwrites.
   */
  private async eachSeries(vs: VectorSelector, mint: number, maxt: number, keepStale: boolean, fn: (r: RawSeries) => void): Promise<void> {
    const { q, shared } = await this.querierFor(mint, maxt);
    try {
      const list = await q.select({ start: mint, end: maxt }, vs.matchers);
      let ts = this.scratchT;
      let vals = this.scratchV;
      for (const s of list) {
        const it = s.iterator();
        let n = 0;
        if (it.seek(mint)) {
          do {
            const t = it.t;
            if (t > maxt) break;
            if (t < mint) continue;
            const v = it.v;
            if (!keepStale && isStaleNaN(v)) continue;
            if (n === ts.length) {
              const nt = new Float64Array(n * 2);
              nt.set(ts);
              ts = this.scratchT = nt;
              const nv = new Float64Array(n * 2);
              nv.set(vals);
              vals = this.scratchV = nv;
            }
            ts[n] = t;
            vals[n] = v;
            n++;
          } while (it.next());
        }
        this.queryableSamples += n;
        fn({ labels: s.labels, ts, vs: vals, n });
      }
    } finally {
      if (!shared) q.close();
    }
  }

  async vectorSelector(vs: VectorSelector, g: Grid, withTs: boolean): Promise<StepVector> {
    const ref = this.refTimeFn(g, vs.at, vs.offset);
    const lb = this.o.lookbackDelta;
    const first = Math.min(ref(0), ref(g.n - 1));
    const last = Math.max(ref(0), ref(g.n - 1));
    const raw = await this.fetch(vs, first - lb, last + (vs.smoothed ? lb : 0), true);
    const leftOpen = this.o.compat === '3';
    if (vs.anchored || vs.smoothed) return this.extendedInstant(vs, raw, ref, g, withTs);
    const out: StepSeries[] = [];
    // Output points count against maxSamples too (one slot per step is allocated).
    this.addSamples(raw.length * g.n);
    for (const r of raw) {
      if (r.n === 0) continue;
      const s = newStepSeries(r.labels, g.n);
      if (withTs) s.ts = new Float64Array(g.n);
      let j = -1; // index of last sample with t <= refT
      let any = false;
      for (let i = 0; i < g.n; i++) {
        const rt = ref(i);
        while (j + 1 < r.n && r.ts[j + 1]! <= rt) j++;
        if (j < 0) continue;
        const t = r.ts[j]!;
        if (leftOpen ? t <= rt - lb : t < rt - lb) continue;
        const v = r.vs[j]!;
        if (isStaleNaN(v)) continue;
        s.vals[i] = v;
        s.has[i] = 1;
        if (s.ts) s.ts[i] = t;
        any = true;
      }
      if (any) out.push(s);
    }
    return { kind: 'vector', series: out };
  }

  /**
   * Experimental `metric anchored` (the latest sample within the lookback delta,
   * staleness markers ignored) and `metric smoothed` (linear interpolation between
   * the samples just before and after t, each within the lookback delta; the sample
   * before alone when there is none after).
   */
  private extendedInstant(vs: VectorSelector, raw: RawSeries[], ref: (i: number) => number, g: Grid, withTs: boolean): StepVector {
    const lb = this.o.lookbackDelta;
    const out: StepSeries[] = [];
    this.addSamples(raw.length * g.n);
    for (const r0 of raw) {
      // Staleness markers are ignored by both modifiers.
      let k = 0;
      const ts = new Float64Array(r0.n);
      const vals = new Float64Array(r0.n);
      for (let i = 0; i < r0.n; i++) {
        if (isStaleNaN(r0.vs[i]!)) continue;
        ts[k] = r0.ts[i]!;
        vals[k++] = r0.vs[i]!;
      }
      const s = newStepSeries(r0.labels, g.n);
      if (withTs) s.ts = new Float64Array(g.n);
      let j = -1;
      let any = false;
      for (let i = 0; i < g.n; i++) {
        const rt = ref(i);
        while (j + 1 < k && ts[j + 1]! <= rt) j++;
        const hasBefore = j >= 0 && ts[j]! > rt - lb;
        if (!hasBefore) continue;
        let v = vals[j]!;
        if (vs.smoothed && ts[j]! < rt && j + 1 < k && ts[j + 1]! - rt <= lb) {
          v = vals[j]! + ((vals[j + 1]! - vals[j]!) * (rt - ts[j]!)) / (ts[j + 1]! - ts[j]!);
        }
        s.vals[i] = v;
        s.has[i] = 1;
        if (s.ts) s.ts[i] = ts[j]!;
        any = true;
      }
      if (any) out.push(s);
    }
    return { kind: 'vector', series: out };
  }

  private async matrixSelector(ms: MatrixSelector, g: Grid): Promise<RangeValue> {
    const w = this.matrixWindow(ms, g);
    return { ...w.value, series: await this.fetch(ms.vs, w.mint, w.maxt, false) };
  }

  /** A matrix selector's range value (without series) and the samples it reads over the whole grid. */
  private matrixWindow(ms: MatrixSelector, g: Grid): { value: Omit<RangeValue, 'series'>; mint: number; maxt: number } {
    const ref = this.refTimeFn(g, ms.vs.at, ms.vs.offset);
    const first = Math.min(ref(0), ref(g.n - 1));
    const last = Math.max(ref(0), ref(g.n - 1));
    const mode = ms.vs.anchored ? 'anchored' : ms.vs.smoothed ? 'smoothed' : undefined;
    const lb = this.o.lookbackDelta;
    // Extended selectors also read one sample before the range (and after it, smoothed).
    return { value: { kind: 'matrix', range: ms.range, refTime: ref, mode, lookback: lb }, mint: first - ms.range - (mode ? lb : 0), maxt: last + (mode === 'smoothed' ? lb : 0) };
  }

  private async subquery(sq: SubqueryExpr, g: Grid): Promise<RangeValue> {
    const step = sq.step > 0 ? sq.step : this.o.defaultEvalInterval;
    const ref = this.refTimeFn(g, sq.at, sq.offset);
    const firstRef = Math.min(ref(0), ref(g.n - 1));
    const lastRef = Math.max(ref(0), ref(g.n - 1));
    const lowest = firstRef - sq.range;
    // First step-aligned timestamp after (start - offset - range), as Prometheus (Go integer division).
    let start = step * Math.trunc(lowest / step);
    if (start < lowest) start += step;
    const inner: Grid = { start, end: lastRef, step, n: start > lastRef ? 0 : Math.floor((lastRef - start) / step) + 1 };
    const series: RawSeries[] = [];
    if (inner.n > 0) {
      const v = (await this.eval(sq.expr, inner)) as StepVector;
      for (const s of v.series) {
        let cnt = 0;
        for (let i = 0; i < inner.n; i++) if (s.has[i]) cnt++;
        const ts = new Float64Array(cnt);
        const vs = new Float64Array(cnt);
        let k = 0;
        for (let i = 0; i < inner.n; i++) {
          if (!s.has[i]) continue;
          ts[k] = gridTime(inner, i);
          vs[k] = s.vals[i]!;
          k++;
        }
        this.addSamples(cnt);
        series.push({ labels: s.labels, ts, vs, n: cnt });
      }
    }
    return { kind: 'matrix', series, range: sq.range, refTime: ref };
  }

  // ---- function calls ----

  private async scalarArg(e: Expr, g: Grid): Promise<Float64Array> {
    return ((await this.eval(e, g)) as StepScalar).vals;
  }

  private async call(e: Call, g: Grid): Promise<EvalValue> {
    const name = e.func;
    const n = g.n;
    switch (name) {
      case 'time': {
        const vals = new Float64Array(n);
        for (let i = 0; i < n; i++) vals[i] = gridTime(g, i) / 1000;
        return { kind: 'scalar', vals };
      }
      case 'pi':
        return { kind: 'scalar', vals: new Float64Array(n).fill(Math.PI) };
      case 'vector': {
        const vals = await this.scalarArg(e.args[0]!, g);
        const s = newStepSeries([], n);
        s.vals.set(vals);
        s.has.fill(1);
        return { kind: 'vector', series: n > 0 ? [s] : [] };
      }
      case 'scalar': {
        const v = (await this.eval(e.args[0]!, g)) as StepVector;
        const vals = new Float64Array(n).fill(NaN);
        const cnt = new Uint32Array(n);
        for (const s of v.series) {
          for (let i = 0; i < n; i++) {
            if (!s.has[i]) continue;
            cnt[i]!++;
            vals[i] = s.vals[i]!;
          }
        }
        for (let i = 0; i < n; i++) if (cnt[i] !== 1) vals[i] = NaN;
        return { kind: 'scalar', vals };
      }
      case 'timestamp': {
        const arg = unwrapParens(e.args[0]!);
        let v: StepVector;
        if (arg.type === 'VectorSelector') {
          v = await this.vectorSelector(arg, g, true);
          for (const s of v.series) for (let i = 0; i < n; i++) if (s.has[i]) s.vals[i] = s.ts![i]! / 1000;
        } else {
          v = (await this.eval(arg, g)) as StepVector;
          for (const s of v.series) for (let i = 0; i < n; i++) if (s.has[i]) s.vals[i] = gridTime(g, i) / 1000;
        }
        const out = v.series.map((s) => ({ labels: dropName(s.labels), vals: s.vals, has: s.has }));
        return { kind: 'vector', series: mergeSameLabels(out, n, false) };
      }
      case 'absent': {
        const v = (await this.eval(e.args[0]!, g)) as StepVector;
        const arg = e.args[0]!;
        const s = newStepSeries(absentLabels(arg.type === 'VectorSelector' ? arg.matchers : null), n);
        let any = false;
        for (let i = 0; i < n; i++) {
          let present = false;
          for (const x of v.series) if (x.has[i]) present = true;
          if (!present) {
            s.vals[i] = 1;
            s.has[i] = 1;
            any = true;
          }
        }
        return { kind: 'vector', series: any ? [s] : [] };
      }
      case 'sort':
      case 'sort_desc':
      case 'sort_by_label':
      case 'sort_by_label_desc': {
        const v = (await this.eval(e.args[0]!, g)) as StepVector;
        if (n !== 1) return v; // sorting only affects instant queries
        const series = v.series.slice();
        if (name === 'sort' || name === 'sort_desc') {
          const desc = name === 'sort_desc';
          series.sort((a, b) => {
            const x = a.vals[0]!;
            const y = b.vals[0]!;
            // NaN sorts last in both directions, as Prometheus does.
            if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
            return desc ? y - x : x - y;
          });
        } else {
          const names: string[] = [];
          for (const a of e.args.slice(1)) names.push(((await this.eval(a, g)) as StepString).s);
          const desc = name === 'sort_by_label_desc';
          const get = (ls: Labels, k: string): string => ls.find((l) => l.name === k)?.value ?? '';
          series.sort((a, b) => {
            for (const k of names) {
              const c = naturalCompare(get(a.labels, k), get(b.labels, k));
              if (c !== 0) return desc ? -c : c;
            }
            const c = labelsCompare(a.labels, b.labels);
            return desc ? -c : c;
          });
        }
        return { kind: 'vector', series };
      }
      case 'label_replace': {
        const v = (await this.eval(e.args[0]!, g)) as StepVector;
        const s = await Promise.all(e.args.slice(1).map(async (a) => ((await this.eval(a, g)) as StepString).s));
        return labelReplace(v, s[0]!, s[1]!, s[2]!, s[3]!, n, this.o.compat);
      }
      case 'label_join': {
        const v = (await this.eval(e.args[0]!, g)) as StepVector;
        const s: string[] = [];
        for (const a of e.args.slice(1)) s.push(((await this.eval(a, g)) as StepString).s);
        return labelJoin(v, s[0]!, s[1]!, s.slice(2), n, this.o.compat);
      }
      case 'histogram_quantile': {
        const q = await this.scalarArg(e.args[0]!, g);
        const v = (await this.eval(e.args[1]!, g)) as StepVector;
        this.quantileWarning(q, e.args[0]!.pos.start);
        return histogramQuantile(q, v, g, this.o.compat, (kind, text) => this.annotate(kind, text, e.args[1]!.pos.start));
      }
      case 'histogram_count':
      case 'histogram_sum':
      case 'histogram_avg':
      case 'histogram_stddev':
      case 'histogram_stdvar':
      case 'histogram_fraction': {
        // Native histograms only: float samples produce no output.
        for (const a of e.args) await this.eval(a, g);
        return { kind: 'vector', series: [] };
      }
      case 'info':
        return this.info(e, g);
      default:
        break;
    }
    if (ELEMENTWISE[name]) {
      if (DATE_FUNCS.has(name) && e.args.length === 0) {
        const s = newStepSeries([], n);
        for (let i = 0; i < n; i++) {
          s.vals[i] = ELEMENTWISE[name]!(gridTime(g, i) / 1000, 0, 0);
          s.has[i] = 1;
        }
        return { kind: 'vector', series: n > 0 ? [s] : [] };
      }
      const v = (await this.eval(e.args[0]!, g)) as StepVector;
      const a1 = e.args[1] ? await this.scalarArg(e.args[1], g) : null;
      const a2 = e.args[2] ? await this.scalarArg(e.args[2], g) : null;
      return applyElementwise(name, v, a1, a2, n);
    }
    return this.rangeCall(e, g);
  }

  /**
   * info(v, [data-label-selector]): adds the data labels of info series (default
   * target_info) that share v's identifying labels (instance, job), never
   * overwriting v's own labels. With data-label matchers, only those labels are
   * added and series without a matching info series are dropped.
   */
  private async info(e: Call, g: Grid): Promise<StepVector> {
    const v = (await this.eval(e.args[0]!, g)) as StepVector;
    const sel = e.args[1] ? unwrapParens(e.args[1]) : null;
    const matchers = sel && sel.type === 'VectorSelector' ? [...sel.matchers] : [];
    if (!matchers.some((m) => m.name === METRIC_NAME)) matchers.push(new Matcher(MatchType.Equal, METRIC_NAME, 'target_info'));
    const dataNames = matchers.filter((m) => m.name !== METRIC_NAME).map((m) => m.name);
    const infoSel: VectorSelector = { type: 'VectorSelector', name: '', matchers, offset: 0, at: null, pos: e.pos };
    const infos = (await this.vectorSelector(infoSel, g, false)).series;
    const idKey = (ls: Labels): string => (ls.find((l) => l.name === 'instance')?.value ?? '') + '\xff' + (ls.find((l) => l.name === 'job')?.value ?? '');
    const byId = new Map<string, StepSeries[]>();
    for (const s of infos) {
      const k = idKey(s.labels);
      let l = byId.get(k);
      if (!l) byId.set(k, (l = []));
      l.push(s);
    }
    const out: StepSeries[] = [];
    const cache = new Map<string, StepSeries>();
    for (const s of v.series) {
      const cands = byId.get(idKey(s.labels)) ?? [];
      for (let i = 0; i < g.n; i++) {
        if (!s.has[i]) continue;
        let ls: Labels = s.labels;
        let matched = false;
        for (const info of cands) {
          if (!info.has[i]) continue;
          matched = true;
          for (const l of info.labels) {
            if (l.name === METRIC_NAME || l.name === 'instance' || l.name === 'job') continue;
            if (dataNames.length > 0 && !dataNames.includes(l.name)) continue;
            if (ls.some((x) => x.name === l.name)) continue;
            ls = setLabel(ls, l.name, l.value);
          }
        }
        if (!matched && dataNames.length > 0) continue;
        const k = labelsKey(ls);
        let r = cache.get(k);
        if (!r) {
          cache.set(k, (r = newStepSeries(ls, g.n)));
          out.push(r);
        }
        if (r.has[i]) throw new EvalError('execution', 'vector cannot contain metrics with the same labelset');
        r.vals[i] = s.vals[i]!;
        r.has[i] = 1;
      }
    }
    return { kind: 'vector', series: out };
  }

  private async rangeCall(e: Call, g: Grid): Promise<StepVector> {
    const name = e.func;
    const n = g.n;
    let mIdx = 0;
    for (let i = 0; i < e.args.length; i++) if (exprType(e.args[i]!) === 'matrix') mIdx = i;
    const scalars: Float64Array[] = [];
    for (let i = 0; i < e.args.length; i++) if (i !== mIdx) scalars.push(await this.scalarArg(e.args[i]!, g));
    const leftOpen = this.o.compat === '3';
    if (name === 'absent_over_time') {
      const m = (await this.eval(e.args[mIdx]!, g)) as RangeValue;
      const inner = unwrapParens(e.args[0]!);
      const ls = absentLabels(inner.type === 'MatrixSelector' ? inner.vs.matchers : null);
      const s = newStepSeries(ls, n);
      let any = false;
      for (let i = 0; i < n; i++) {
        const end = m.refTime(i);
        const start = end - m.range;
        let present = false;
        for (const r of m.series) {
          const lo = lowerBound(r.ts, r.n, leftOpen ? start + 1 : start);
          if (lo < r.n && r.ts[lo]! <= end) {
            present = true;
            break;
          }
        }
        if (!present) {
          s.vals[i] = 1;
          s.has[i] = 1;
          any = true;
        }
      }
      return { kind: 'vector', series: any ? [s] : [] };
    }
    if (name === 'quantile_over_time') this.quantileWarning(scalars[0]!, e.args[0]!.pos.start);
    const fn = RANGE_FUNCTIONS[name];
    if (!fn) throw new EvalError('execution', `function "${name}" is not implemented`);
    const counterFn = name === 'rate' || name === 'increase' || name === 'irate';
    // A plain selector argument is streamed: one series is decoded at a time and dropped
    // after its steps are computed, so a query holds one series' samples plus its output
    // (what Prometheus counts against --query.max-samples) instead of every sample read.
    const arg = unwrapParens(e.args[mIdx]!);
    let m: Omit<RangeValue, 'series'>;
    let each: (visit: (r: RawSeries) => void) => Promise<void>;
    if (arg.type === 'MatrixSelector') {
      const w = this.matrixWindow(arg, g);
      m = w.value;
      each = (visit) =>
        this.eachSeries(arg.vs, w.mint, w.maxt, false, (r) => {
          if (r.n === 0) return;
          this.addSamples(r.n);
          visit(r);
          this.samples -= r.n;
        });
    } else {
      const mv = (await this.eval(e.args[mIdx]!, g)) as RangeValue;
      m = mv;
      each = async (visit) => {
        for (const r of mv.series) {
          visit(r);
          if (Date.now() - this.lastYield > 20) await this.maybeYield();
        }
      };
    }
    const keepName = KEEPS_NAME_RANGE.has(name);
    const out: StepSeries[] = [];
    const ctx: WindowCtx = { ts: new Float64Array(0), vs: new Float64Array(0), lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, rangeMs: m.range, evalT: 0, a1: 0, a2: 0, compat: this.o.compat };
    let work = 0;
    const wantResets = name === 'rate' || name === 'increase';
    let resets = new Uint32Array(0);
    await each((r) => {
      if (counterFn) {
        const metric = r.labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
        if (metric !== '' && !/(_total|_sum|_count|_bucket)$/.test(metric)) {
          this.annotate('info', `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(metric)}`, e.args[mIdx]!.pos.start);
        }
      }
      // Output points count against maxSamples too (one slot per step is allocated).
      this.addSamples(n);
      const s = newStepSeries(keepName ? r.labels : dropName(r.labels), n);
      if (wantResets && !m.mode) {
        if (resets.length < r.n) resets = new Uint32Array(r.n * 2);
        let cntR = 0;
        if (r.n > 0) resets[0] = 0;
        for (let k = 1; k < r.n; k++) {
          if (r.vs[k]! < r.vs[k - 1]!) cntR++;
          resets[k] = cntR;
        }
        ctx.resets = resets;
      } else {
        ctx.resets = null;
      }
      let lo = 0;
      let hi = 0;
      let any = false;
      for (let i = 0; i < n; i++) {
        const end = m.refTime(i);
        const start = end - m.range;
        // Windows move forward with i (or stay put under @), so two pointers suffice.
        if (i > 0 && end < m.refTime(i - 1)) {
          lo = 0;
          hi = 0;
        }
        while (lo < r.n && (leftOpen ? r.ts[lo]! <= start : r.ts[lo]! < start)) lo++;
        if (hi < lo) hi = lo;
        while (hi < r.n && r.ts[hi]! <= end) hi++;
        if (m.mode) {
          if (!boundaryWindow(r, lo, hi, start, end, m.mode, m.lookback!, ctx)) continue;
        } else {
          if (hi <= lo) continue;
          ctx.ts = r.ts;
          ctx.vs = r.vs;
          ctx.lo = lo;
          ctx.hi = hi;
        }
        ctx.rangeStart = start;
        ctx.rangeEnd = end;
        ctx.evalT = gridTime(g, i);
        ctx.a1 = scalars[0] ? scalars[0][i]! : 0;
        ctx.a2 = scalars[1] ? scalars[1][i]! : 0;
        work += hi - lo;
        // Deadline checks inside long series (big windows, sorting functions).
        if (work > 65_536) {
          work = 0;
          this.checkLimits();
        }
        const v = fn(ctx);
        if (v === undefined) continue;
        s.vals[i] = v;
        s.has[i] = 1;
        any = true;
      }
      if (any) out.push(s);
    });
    return { kind: 'vector', series: keepName ? out : mergeSameLabels(out, n, true) };
  }
}

/** Go's %g for the few floats that appear in annotation texts. */
function formatGoG(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 21) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

const bTs = { buf: new Float64Array(64) };
const bVs = { buf: new Float64Array(64) };

/**
 * Builds the window of an `anchored` / `smoothed` range selector into scratch
 * arrays: a point at the range start (anchored: the last sample at or before it
 * within the lookback delta, else the first sample in range; smoothed: linear
 * interpolation between the samples around the boundary), the samples in
 * (start, end], and a point at the end (anchored: the last sample; smoothed:
 * interpolated with the next sample after the end). Returns false for no output.
 */
function boundaryWindow(r: RawSeries, lo: number, hi: number, start: number, end: number, mode: 'anchored' | 'smoothed', lookback: number, ctx: WindowCtx): boolean {
  const ts = r.ts;
  const vs = r.vs;
  const before = lo - 1 >= 0 && ts[lo - 1]! > start - lookback ? lo - 1 : -1;
  let v0: number;
  let v1: number;
  if (mode === 'anchored') {
    if (hi <= lo) return false;
    v0 = before >= 0 ? vs[before]! : vs[lo]!;
    v1 = vs[hi - 1]!;
  } else {
    const interp = (a: number, b: number, t: number): number => vs[a]! + ((vs[b]! - vs[a]!) * (t - ts[a]!)) / (ts[b]! - ts[a]!);
    const afterStart = lo < r.n && ts[lo]! - start <= lookback ? lo : -1;
    const lastIn = hi - 1 >= 0 && ts[hi - 1]! > start - lookback ? hi - 1 : -1;
    const afterEnd = hi < r.n && ts[hi]! - end <= lookback ? hi : -1;
    if (hi <= lo && (before < 0 || afterEnd < 0)) return false;
    if (before >= 0 && afterStart >= 0) v0 = interp(before, afterStart, start);
    else if (hi > lo) v0 = vs[lo]!;
    else return false;
    if (lastIn >= 0 && afterEnd >= 0) v1 = interp(lastIn, afterEnd, end);
    else if (hi > lo) v1 = vs[hi - 1]!;
    else return false;
  }
  const n = hi - lo + 2;
  if (bTs.buf.length < n) {
    bTs.buf = new Float64Array(n * 2);
    bVs.buf = new Float64Array(n * 2);
  }
  const t = bTs.buf;
  const v = bVs.buf;
  t[0] = start;
  v[0] = v0;
  let k = 1;
  for (let i = lo; i < hi; i++, k++) {
    t[k] = ts[i]!;
    v[k] = vs[i]!;
  }
  t[k] = end;
  v[k] = v1;
  ctx.ts = t;
  ctx.vs = v;
  ctx.lo = 0;
  ctx.hi = k + 1;
  return true;
}

export function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}

function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Natural order as sort_by_label uses (facette/natsort): strings split into digit
 * and non-digit chunks; digit chunks compare numerically, others byte-wise.
 */
function naturalCompare(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (x === y) continue;
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const nx = Number(x);
      const ny = Number(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}
