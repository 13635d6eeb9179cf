// Incremental UTF-8 checking and decoding. Node's isUtf8 checks whole characters at native speed;
// chunks are cut at character boundaries so a character split across two chunks is not an error,
// and the exact position of a bad byte is found only when a check fails.
import { isUtf8 } from "node:buffer";

export class Utf8Error extends Error {
  constructor(
    /** Offset of the offending byte from the start of the input. */
    readonly byteOffset: number,
    readonly byte: number,
    /** Line feeds in the returned-so-far text before the bad byte, counted within the failing piece. */
    readonly newlinesInPiece: number,
    readonly truncated: boolean,
  ) {
    super(
      truncated
        ? `input ends inside a multi-byte character at byte offset ${byteOffset}`
        : `byte 0x${byte.toString(16).toUpperCase().padStart(2, "0")} at byte offset ${byteOffset} is not valid UTF-8`,
    );
    this.name = "Utf8Error";
  }
}

/** Index of the first byte of the first invalid sequence in b[start, end), or -1 when all is valid. */
export function firstInvalidUtf8(b: Uint8Array, start = 0, end = b.length): number {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      else if (c === 0xed) hi = 0x9f; // UTF-16 surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      else if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + need >= end) return i; // cut off by the end of the input
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const ck = b[i + k]!;
      if (ck < 0x80 || ck > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Where the last complete character ends: a lead byte in the last three bytes whose sequence is cut off. */
function completeEnd(b: Uint8Array): number {
  const n = b.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = b[n - back]!;
    if (c < 0x80) return n;
    if (c >= 0xc0) {
      const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return len > back ? n - back : n;
    }
    // continuation byte: keep looking for its lead
  }
  return n;
}

function countNewlines(b: Uint8Array, end: number): number {
  let n = 0;
  const buf = Buffer.from(b.buffer, b.byteOffset, end);
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Feed raw chunks, get text back; throws Utf8Error at the first invalid byte. */
export class Utf8Decoder {
  private carry: Buffer = Buffer.alloc(0);
  private offset = 0; // input bytes before `carry`
  private started = false;
  /** True when the input began with a UTF-8 byte order mark (it is removed from the text). */
  hadBom = false;

  push(chunk: Uint8Array): string {
    let piece: Buffer = this.carry.length ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.started) {
      if (piece.length < 3 && piece.length > 0 && [0xef, 0xbb, 0xbf].slice(0, piece.length).every((v, k) => piece[k] === v)) {
        // Could still become a BOM: wait for more bytes.
        this.carry = Buffer.from(piece);
        return "";
      }
      this.started = piece.length > 0;
      if (piece.length >= 3 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) {
        this.hadBom = true;
        piece = piece.subarray(3);
        this.offset += 3;
      }
    }
    const end = completeEnd(piece);
    const whole = piece.subarray(0, end);
    this.check(whole, false);
    this.carry = end < piece.length ? Buffer.from(piece.subarray(end)) : Buffer.alloc(0);
    this.offset += end;
    return whole.toString("utf8");
  }

  /** Call at the end of input; a character cut off by the end is an error. */
  end(): string {
    if (this.carry.length === 0) return "";
    if (!this.started) {
      // Fewer than three bytes that looked like the start of a BOM.
      this.started = true;
    }
    this.check(this.carry, true);
    const text = this.carry.toString("utf8");
    this.offset += this.carry.length;
    this.carry = Buffer.alloc(0);
    return text;
  }

  private check(piece: Buffer, atEnd: boolean): void {
    if (piece.length === 0 || isUtf8(piece)) return;
    const found = firstInvalidUtf8(piece);
    const pos = found === -1 ? 0 : found;
    const lead = piece[pos] ?? 0;
    // At the end, a valid lead byte followed only by continuation bytes is a character cut short.
    const truncated =
      atEnd && lead >= 0xc2 && lead <= 0xf4 && piece.subarray(pos + 1).every((c) => c >= 0x80 && c <= 0xbf);
    throw new Utf8Error(this.offset + pos, lead, countNewlines(piece, pos), truncated);
  }
}
