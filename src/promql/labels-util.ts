import { METRIC_NAME, labelsKey, type Label, type Labels } from '../model/index.js';
import { EvalError } from './errors.js';
import type { StepSeries } from './values.js';

export function dropName(ls: Labels): Labels {
  for (let i = 0; i < ls.length; i++) {
    if (ls[i]!.name === METRIC_NAME) return ls.slice(0, i).concat(ls.slice(i + 1));
  }
  return ls;
}

export function hasName(ls: Labels): boolean {
  for (const l of ls) if (l.name === METRIC_NAME) return true;
  return false;
}

/** Signature key for vector matching: on(labels) keeps only them; ignoring drops them and __name__. */
export function signature(ls: Labels, on: boolean, names: readonly string[]): string {
  let s = '';
  if (on) {
    for (const l of ls) if (names.includes(l.name)) s += l.name + '\xff' + l.value + '\xff';
  } else {
    for (const l of ls) if (l.name !== METRIC_NAME && !names.includes(l.name)) s += l.name + '\xff' + l.value + '\xff';
  }
  return s;
}

export function keepLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name));
}

export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let done = false;
  for (const l of ls) {
    if (l.name === name) {
      if (value !== '') out.push({ name, value });
      done = true;
    } else {
      if (!done && l.name > name) {
        if (value !== '') out.push({ name, value });
        done = true;
      }
      out.push(l);
    }
  }
  if (!done && value !== '') out.push({ name, value });
  return out;
}

export const ERR_SAME_LABELSET = 'vector cannot contain metrics with the same labelset';

/**
 * Merges series that ended up with the same label set. Per-step mode reproduces
 * rangeEval (an error only if two collide at the same step); strict mode reproduces
 * `mat.ContainsSameLabelset()` (any two non-empty series with equal labels).
 */
export function mergeSameLabels(list: StepSeries[], n: number, strict: boolean): StepSeries[] {
  if (list.length < 2) return list;
  const map = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  for (const s of list) {
    const k = labelsKey(s.labels);
    const ex = map.get(k);
    if (!ex) {
      map.set(k, s);
      out.push(s);
      continue;
    }
    if (strict && anyPresent(s, n) && anyPresent(ex, n)) throw new EvalError('execution', ERR_SAME_LABELSET);
    for (let i = 0; i < n; i++) {
      if (!s.has[i]) continue;
      if (ex.has[i]) throw new EvalError('execution', ERR_SAME_LABELSET);
      ex.has[i] = 1;
      ex.vals[i] = s.vals[i]!;
      if (ex.ts && s.ts) ex.ts[i] = s.ts[i]!;
    }
  }
  return out;
}

export function anyPresent(s: StepSeries, n: number): boolean {
  for (let i = 0; i < n; i++) if (s.has[i]) return true;
  return false;
}
