/** Sorted, de-duplicated copy (byte order as Go's sort.Strings for ASCII). */
export function sortedUnique(values: string[], limit?: number): string[] {
  const out = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return limit && limit > 0 ? out.slice(0, limit) : out;
}

/** The n largest entries of a count map, largest first, ties by name. */
export function topN(m: Map<string, number>, n: number): Array<{ name: string; value: number }> {
  return [...m]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([name, value]) => ({ name, value }));
}
