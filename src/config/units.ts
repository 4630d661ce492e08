/**
 * Byte sizes as Prometheus parses body_size_limit (alecthomas/units Base2Bytes):
 * B, KB/KiB, MB/MiB, GB/GiB, TB/TiB, PB/PiB, EB/EiB — all powers of 1024 — and
 * combinations like "1GB512MB". A bare number is not accepted; "0" is.
 */
const UNITS: Record<string, number> = { B: 1, KB: 1024, KIB: 1024, MB: 1024 ** 2, MIB: 1024 ** 2, GB: 1024 ** 3, GIB: 1024 ** 3, TB: 1024 ** 4, TIB: 1024 ** 4, PB: 1024 ** 5, PIB: 1024 ** 5, EB: 1024 ** 6, EIB: 1024 ** 6 };

export function parseByteSize(s: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)([A-Za-z]+)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    const mult = m ? UNITS[m[2]!.toUpperCase()] : undefined;
    if (!m || mult === undefined || (m[2]!.length > 1 && m[2]![1] === 'b')) throw new Error(`units: unknown unit in "${s}"`);
    total += Number(m[1]) * mult;
    pos = re.lastIndex;
  }
  if (s === '') throw new Error('units: empty size');
  return Math.floor(total);
}

export function formatByteSize(n: number): string {
  for (const [u, m] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) if (n > 0 && n % m === 0) return `${n / m}${u}`;
  return `${n}B`;
}
