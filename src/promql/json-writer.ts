/**
 * Writes large query results straight into bytes. Building a 16 MB range-query answer by
 * string concatenation spent most of its time flattening ropes and in the garbage
 * collector; here the answer goes into pages that are joined once. The first page is
 * small (most answers are), each next one twice the last, up to 256 KiB.
 */
const FIRST_PAGE = 16 * 1024;
const PAGE = 256 * 1024;

/**
 * Node's Buffer has per-encoding write methods that skip `write()`'s argument parsing
 * (about 30 % of this writer's time); they are not in @types/node.
 */
interface EncodingWriters {
  latin1Write(s: string, offset: number): number;
  utf8Write(s: string, offset: number): number;
}
const fast = (b: Buffer): EncodingWriters => b as unknown as EncodingWriters;
const QUOTE = 0x22;

export class JsonBytesWriter {
  private pages: Buffer[] = [];
  private buf = Buffer.allocUnsafe(FIRST_PAGE);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.pages.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(Math.min(PAGE, Math.max(FIRST_PAGE, this.buf.length * 2)), n));
    this.pos = 0;
  }

  /** ASCII-only text (punctuation, numbers formatted by the caller). */
  ascii(s: string): void {
    this.room(s.length);
    this.pos += fast(this.buf).latin1Write(s, this.pos);
  }

  /** Text that may hold any Unicode (already JSON-escaped). */
  utf8(s: string): void {
    this.room(s.length * 3);
    this.pos += fast(this.buf).utf8Write(s, this.pos);
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Buffer): void {
    this.room(b.length);
    this.pos += b.copy(this.buf, this.pos);
  }

  /** A non-negative safe integer, digits written without building a string. */
  uint(n: number): void {
    this.room(16);
    if (n === 0) {
      this.buf[this.pos++] = 0x30;
      return;
    }
    let digits = 0;
    for (let x = n; x >= 1; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let x = n; x >= 1; x = Math.floor(x / 10)) this.buf[--p] = 0x30 + (x % 10);
  }

  /** A quoted string of ASCII text: `"…"`. */
  quotedAscii(s: string): void {
    this.room(s.length + 2);
    this.buf[this.pos++] = QUOTE;
    this.pos += fast(this.buf).latin1Write(s, this.pos);
    this.buf[this.pos++] = QUOTE;
  }

  finish(): Buffer {
    this.pages.push(this.buf.subarray(0, this.pos));
    const out = this.pages.length === 1 ? this.pages[0]! : Buffer.concat(this.pages);
    this.pages = [];
    this.buf = Buffer.allocUnsafe(0);
    this.pos = 0;
    return out;
  }
}
