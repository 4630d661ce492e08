import { createHash } from 'node:crypto';

/**
 * Prometheus' hashmod: md5 of the joined source values, the last 8 bytes of the
 * digest read as a big-endian uint64 (its sum64 shifts the first 8 bytes out),
 * modulo `modulus`. Same input, same shard as Prometheus.
 */
export function hashmod(value: string, modulus: number): number {
  const d = createHash('md5').update(value, 'utf8').digest();
  const n = d.readBigUInt64BE(8);
  return Number(n % BigInt(modulus));
}
