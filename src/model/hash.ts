import type { Labels } from './labels.js';

/**
 * A fast 53-bit hash of a label set (two independent 32-bit FNV-1a lanes over
 * UTF-16 code units). Used for series lookup maps; callers must still compare
 * labels on a hit because different sets can collide.
 */
export function hashLabels(ls: Labels): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (const l of ls) {
    for (let i = 0; i < l.name.length; i++) {
      const c = l.name.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 = Math.imul(h1 ^ 0xff, 0x01000193);
    h2 = Math.imul(h2 ^ 0xff, 0x5bd1e995);
    for (let i = 0; i < l.value.length; i++) {
      const c = l.value.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    h1 = Math.imul(h1 ^ 0xfe, 0x01000193);
    h2 = Math.imul(h2 ^ 0xfe, 0x5bd1e995);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}

/** Same hash over a string (e.g. a label value), 53 bits. */
export function hashString(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
