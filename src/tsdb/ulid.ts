import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastMs = -1;
let lastRand: Uint8Array = new Uint8Array(10);

/** A ULID (26 chars, Crockford base32): 48-bit ms time + 80 random bits, monotonic within a ms. */
export function ulid(now = Date.now()): string {
  let rand: Uint8Array;
  if (now === lastMs) {
    rand = lastRand.slice();
    for (let i = 9; i >= 0; i--) {
      rand[i] = (rand[i]! + 1) & 0xff;
      if (rand[i] !== 0) break;
    }
  } else rand = randomBytes(10);
  lastMs = now;
  lastRand = rand;
  let out = '';
  let t = now;
  const timeChars: string[] = [];
  for (let i = 0; i < 10; i++) {
    timeChars.push(ALPHABET[t % 32]!);
    t = Math.floor(t / 32);
  }
  out = timeChars.reverse().join('');
  // 80 bits -> 16 chars of 5 bits.
  let acc = 0;
  let bits = 0;
  for (const b of rand) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

export function isUlid(s: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s);
}
