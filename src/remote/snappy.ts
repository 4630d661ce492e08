import { createRequire } from 'node:module';

/**
 * Snappy block format (what remote write uses, not the framed stream format).
 * Prefers the native `snappy` package (prebuilt binaries); falls back to the
 * pure-JS `snappyjs` when the native module cannot load on this platform.
 */
interface SnappyImpl {
  name: string;
  compress(b: Uint8Array): Uint8Array;
  uncompress(b: Uint8Array): Uint8Array;
}

const require = createRequire(import.meta.url);

function load(): SnappyImpl {
  if (process.env['VIGIL_SNAPPY'] !== 'js') {
    try {
      const s = require('snappy') as {
        compressSync(b: Uint8Array): Buffer;
        uncompressSync(b: Uint8Array, o?: { asBuffer: boolean }): Buffer | string;
      };
      return {
        name: 'snappy (native)',
        compress: (b) => s.compressSync(b),
        uncompress: (b) => s.uncompressSync(b, { asBuffer: true }) as Buffer,
      };
    } catch {
      // fall through to the JS implementation
    }
  }
  const js = require('snappyjs') as { compress(b: Uint8Array): Uint8Array; uncompress(b: Uint8Array, maxLength?: number): Uint8Array };
  return { name: 'snappyjs (pure JS)', compress: (b) => js.compress(b), uncompress: (b) => js.uncompress(b) };
}

const impl = load();

export const snappyImplementation: string = impl.name;

export class SnappyError extends Error {}

/** Decoded length from the snappy block header (a uvarint), without decompressing. */
export function snappyDecodedLength(b: Uint8Array): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 5 && i < b.length; i++) {
    v += (b[i]! & 0x7f) * mul;
    if (b[i]! < 128) return v;
    mul *= 128;
  }
  throw new SnappyError('snappy: corrupt input (bad length header)');
}

export function snappyCompress(b: Uint8Array): Uint8Array {
  return impl.compress(b);
}

/** Decompresses, refusing outputs larger than maxBytes before allocating them. */
export function snappyUncompress(b: Uint8Array, maxBytes = 256 * 1024 * 1024): Uint8Array {
  const n = snappyDecodedLength(b);
  if (n > maxBytes) throw new SnappyError(`snappy: decoded size ${n} exceeds limit ${maxBytes}`);
  try {
    return impl.uncompress(b);
  } catch (err) {
    throw new SnappyError(`snappy: corrupt input: ${(err as Error).message}`);
  }
}
