// A minimal WebAssembly emitter: just the instructions the bitvector scorer generates, encoded as
// the binary format specifies (https://webassembly.github.io/spec/core/binary/), so a forest can be
// compiled to a kernel at load time with no toolchain. One module = one imported memory and one
// exported function `run(i32)`.

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

function uleb(out: number[], v: number): void {
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Instructions of one function body, appended in order. Locals are numbered from 0 (the parameter). */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  private mem(opcode: number[], align: number, offset: number): this {
    this.bytes.push(...opcode);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }

  get(i: number): this {
    this.op(0x20);
    uleb(this.bytes, i);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(this.bytes, i);
    return this;
  }
  i32(v: number): this {
    this.op(0x41);
    sleb(this.bytes, v | 0);
    return this;
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.op(0x44, ...b);
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d, depth);
  }
  select(): this {
    return this.op(0x1b);
  }
  i32Load(offset = 0): this {
    return this.mem([0x28], 2, offset);
  }
  f64Load(offset = 0): this {
    return this.mem([0x2b], 3, offset);
  }
  f64Store(offset = 0): this {
    return this.mem([0x39], 3, offset);
  }
  v128Load(offset = 0): this {
    return this.mem([0xfd, 0x00], 4, offset);
  }
  v128Store(offset = 0): this {
    return this.mem([0xfd, 0x0b], 4, offset);
  }
  v128And(): this {
    return this.op(0xfd, 0x4e);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32Ctz(): this {
    return this.op(0x68);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  f64Ne(): this {
    return this.op(0x62);
  }
  f64Lt(): this {
    return this.op(0x63);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** A module importing memory `env.memory` (at least `pages` pages) and exporting `run(i32)` with the given locals (after the parameter). */
export function moduleBytes(pages: number, locals: number[], body: Code): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, [1, 0x60, 1, I32, 0]); // one type: (i32) -> ()
  const imports: number[] = [1];
  name(imports, "env");
  name(imports, "memory");
  imports.push(0x02, 0x00);
  uleb(imports, pages);
  section(out, 2, imports);
  section(out, 3, [1, 0]); // one function of type 0
  const exports: number[] = [1];
  name(exports, "run");
  exports.push(0x00, 0);
  section(out, 7, exports);
  // Locals as runs of one type each.
  const fn: number[] = [];
  const runs: [number, number][] = [];
  for (const t of locals) {
    const last = runs[runs.length - 1];
    if (last && last[1] === t) last[0]++;
    else runs.push([1, t]);
  }
  uleb(fn, runs.length);
  for (const [n, t] of runs) {
    uleb(fn, n);
    fn.push(t);
  }
  fn.push(...body.bytes, 0x0b);
  const code: number[] = [1];
  uleb(code, fn.length);
  code.push(...fn);
  section(out, 10, code);
  return new Uint8Array(out);
}
