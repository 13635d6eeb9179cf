// A streaming multipart/form-data reader (RFC 7578). Request.formData() would hold a whole upload
// in memory; this yields each part as it arrives and streams its body, so a large file part can
// be processed chunk by chunk.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { invalid } from "../errors";

export interface MultipartPart {
  /** The form field name (Content-Disposition name). */
  name: string;
  /** Present for file fields. */
  filename: string | null;
  contentType: string | null;
  /** The part's bytes. Read it before asking for the next part; what is left unread is skipped. */
  body: AsyncIterable<Buffer>;
}

export interface MultipartOptions {
  /** Largest header block of one part. */
  maxHeaderBytes?: number;
  /** Most parts in one body. */
  maxParts?: number;
}

/** The boundary parameter of a multipart/form-data content type; throws invalid otherwise. */
export function multipartBoundary(contentType: string | null): string {
  const ct = contentType ?? "";
  if (!/^multipart\/form-data\s*(;|$)/i.test(ct)) throw invalid("Expected a multipart/form-data body");
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(ct);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw invalid("The multipart/form-data content type has no boundary");
  return boundary;
}

const CRLF = Buffer.from("\r\n");
const CRLFCRLF = Buffer.from("\r\n\r\n");

function headerParam(value: string, param: string): string | null {
  const re = new RegExp(`;\\s*${param}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, "i");
  const m = re.exec(value);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? null);
}

class Reader {
  buf: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly it: AsyncIterator<Uint8Array>) {}

  /** Appends the next chunk; false at the end of the input. */
  async more(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return true;
  }

  /** Waits until `needle` is in the buffer; -1 when the input ends first, -2 past `limit` bytes. */
  async find(needle: Buffer, limit: number): Promise<number> {
    for (;;) {
      const i = this.buf.indexOf(needle);
      if (i !== -1) return i;
      if (this.buf.length > limit) return -2;
      if (!(await this.more())) return -1;
    }
  }

  async ensure(n: number): Promise<boolean> {
    while (this.buf.length < n) if (!(await this.more())) return false;
    return true;
  }
}

/** Yields the parts of a multipart/form-data body in order. */
export async function* readMultipart(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
  opts: MultipartOptions = {},
): AsyncGenerator<MultipartPart> {
  const maxHeaderBytes = opts.maxHeaderBytes ?? 16 * 1024;
  const maxParts = opts.maxParts ?? 50;
  const it = source[Symbol.asyncIterator]();
  const r = new Reader(it);
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const broken = (why: string) => invalid(`Malformed multipart/form-data body: ${why}`);

  try {
    // Anything before the first boundary is a preamble and ignored.
    const first = await r.find(dashBoundary, 64 * 1024);
    if (first < 0) throw broken("the boundary never appears");
    r.buf = r.buf.subarray(first + dashBoundary.length);

    for (let parts = 0; ; parts++) {
      if (!(await r.ensure(2))) throw broken("it ends after a boundary");
      if (r.buf[0] === 0x2d && r.buf[1] === 0x2d) return; // "--": the closing boundary
      const eol = await r.find(CRLF, 1024);
      if (eol < 0) throw broken("a boundary line does not end");
      r.buf = r.buf.subarray(eol + 2);
      if (parts >= maxParts) throw invalid(`The form has more than ${maxParts} parts`);

      let headerText = "";
      if (!(await r.ensure(2))) throw broken("it ends inside part headers");
      if (r.buf[0] === 0x0d && r.buf[1] === 0x0a) {
        r.buf = r.buf.subarray(2);
      } else {
        const end = await r.find(CRLFCRLF, maxHeaderBytes);
        if (end === -2) throw invalid(`A form part has more than ${maxHeaderBytes} bytes of headers`);
        if (end < 0) throw broken("it ends inside part headers");
        headerText = r.buf.subarray(0, end).toString("utf8");
        r.buf = r.buf.subarray(end + 4);
      }
      const headers = new Map<string, string>();
      for (const line of headerText.split("\r\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const disposition = headers.get("content-disposition") ?? "";
      if (!/^form-data\s*(;|$)/i.test(disposition)) throw broken("a part has no 'Content-Disposition: form-data' header");
      const name = headerParam(disposition, "name");
      if (name === null) throw broken("a part has no field name");

      let done = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        const keep = delimiter.length - 1;
        while (!done) {
          const i = r.buf.indexOf(delimiter);
          if (i !== -1) {
            const out = r.buf.subarray(0, i);
            r.buf = r.buf.subarray(i + delimiter.length);
            done = true;
            if (out.length) yield out;
            return;
          }
          // Everything but a tail that could be the start of the delimiter is part data.
          if (r.buf.length > keep) {
            const out = r.buf.subarray(0, r.buf.length - keep);
            r.buf = r.buf.subarray(r.buf.length - keep);
            yield out;
          }
          if (!(await r.more())) throw broken(`it ends inside the '${name}' part`);
        }
      };
      yield { name, filename: headerParam(disposition, "filename"), contentType: headers.get("content-type") ?? null, body: body() };
      // Skip whatever the consumer did not read (a fresh generator resumes from the shared reader).
      if (!done) for await (const _ of body()) void _;
    }
  } finally {
    await it.return?.();
  }
}

/** A request body as a Node stream, read as it arrives (never buffered whole). */
export function requestBodyStream(req: Request): Readable {
  if (!req.body) return Readable.from([]);
  return Readable.fromWeb(req.body as unknown as WebReadableStream<Uint8Array>);
}
