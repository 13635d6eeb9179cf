// A small streaming tar (POSIX ustar + pax for long names and large sizes): what the backup bundle
// needs, readable by any `tar -xzf`. Only regular files; the reader refuses everything else.
import type { Readable, Writable } from "node:stream";

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, mtime: number, type: "0" | "x"): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, "utf8");
  h.write(octal(0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(Math.floor(mtime / 1000), 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write(type, 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148, "ascii");
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

async function write(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    out.once("error", onError);
    out.once("drain", () => {
      out.off("error", onError);
      resolve();
    });
  });
}

export class TarWriter {
  constructor(private readonly out: Writable) {}

  /** Adds one regular file; `content` must yield exactly `size` bytes. */
  async add(name: string, size: number, content: Buffer | Readable | AsyncIterable<Buffer>, mtime = Date.now()): Promise<void> {
    const simple = /^[\x20-\x7e]{1,99}$/.test(name) && size <= MAX_OCTAL_SIZE;
    if (!simple) {
      const pax = Buffer.from(paxRecord("path", name) + (size > MAX_OCTAL_SIZE ? paxRecord("size", String(size)) : ""), "utf8");
      await write(this.out, header(`PaxHeader/${name.replace(/[^\x20-\x7e]/g, "_").slice(-80)}`, pax.length, mtime, "x"));
      await write(this.out, pax);
      await write(this.out, padding(pax.length));
    }
    await write(this.out, header(simple ? name : name.replace(/[^\x20-\x7e]/g, "_").slice(-99), Math.min(size, MAX_OCTAL_SIZE), mtime, "0"));
    let written = 0;
    const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(content) ? [content] : content;
    for await (const chunk of chunks) {
      written += chunk.length;
      if (written > size) throw new Error(`${name}: more than the announced ${size} bytes (did it change during the backup?)`);
      await write(this.out, chunk);
    }
    if (written !== size) throw new Error(`${name}: ${written} bytes instead of ${size} (did it change during the backup?)`);
    await write(this.out, padding(size));
  }

  /** Two zero blocks end the archive. */
  async finish(): Promise<void> {
    await write(this.out, Buffer.alloc(BLOCK * 2));
  }
}

export interface TarEntry {
  name: string;
  size: number;
  /** Must be consumed (or left) before asking for the next entry. */
  body: AsyncGenerator<Buffer>;
}

class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<void> {
    while (this.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.chunks.push(r.value);
        this.length += r.value.length;
      }
    }
  }

  /** Up to n bytes (fewer only at the end of the input). */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    return out;
  }
}

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString("utf8");
}

function parseOctal(h: Buffer, start: number, len: number, what: string): number {
  const text = field(h, start, len).trim();
  if (!/^[0-7]+$/.test(text)) throw new Error(`not a tar archive (bad ${what} field)`);
  return parseInt(text, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const len = Number(data.subarray(i, space).toString("ascii"));
    if (space < 0 || !Number.isInteger(len) || len <= 0 || i + len > data.length) throw new Error("not a tar archive (bad pax header)");
    const record = data.subarray(space + 1, i + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** The regular files of a tar stream, in order. Throws on corrupt or truncated input. */
export async function* readTar(input: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const r = new ByteReader(input[Symbol.asyncIterator]());
  let pax: Record<string, string> = {};
  for (;;) {
    const h = await r.read(BLOCK);
    if (h.length === 0) throw new Error("truncated archive (no end marker)");
    if (h.length < BLOCK) throw new Error("truncated archive");
    if (h.every((b) => b === 0)) return;
    const stored = parseOctal(h, 148, 8, "checksum");
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== stored) throw new Error("not a tar archive, or a corrupt one (header checksum mismatch)");
    const type = String.fromCharCode(h[156]!);
    const prefix = field(h, 345, 155);
    let name = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
    let size = parseOctal(h, 124, 12, "size");
    if (type === "x") {
      const data = await r.read(size);
      if (data.length < size) throw new Error("truncated archive");
      await r.read((BLOCK - (size % BLOCK)) % BLOCK);
      pax = parsePax(data);
      continue;
    }
    if (pax.path) name = pax.path;
    if (pax.size) size = Number(pax.size);
    pax = {};
    if (type === "5") {
      if (size !== 0) throw new Error(`${name}: directory entry with content`);
      continue;
    }
    if (type !== "0" && type !== "\0") throw new Error(`${name}: unsupported entry type '${type}' (only regular files)`);
    let left = size;
    const body = (async function* () {
      while (left > 0) {
        const chunk = await r.read(Math.min(left, 1 << 20));
        if (chunk.length === 0) throw new Error(`truncated archive (in ${name})`);
        left -= chunk.length;
        yield chunk;
      }
    })();
    yield { name, size, body };
    // Skip what the consumer left unread, then the padding.
    while (left > 0) {
      const chunk = await r.read(Math.min(left, 1 << 20));
      if (chunk.length === 0) throw new Error(`truncated archive (in ${name})`);
      left -= chunk.length;
    }
    await r.read((BLOCK - (size % BLOCK)) % BLOCK);
  }
}
