import { describe, expect, it } from "vitest";
import { multipartBoundary, readMultipart } from "@/lib/http";

/** The exact bytes and content type a web client sends for a FormData body. */
async function encode(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const r = new Response(form);
  return { body: Buffer.from(await r.arrayBuffer()), contentType: r.headers.get("content-type")! };
}

async function* pieces(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function collect(body: Buffer, contentType: string, size: number) {
  const out: { name: string; filename: string | null; contentType: string | null; data: string }[] = [];
  for await (const p of readMultipart(pieces(body, size), multipartBoundary(contentType))) {
    const chunks: Buffer[] = [];
    for await (const c of p.body) chunks.push(c);
    out.push({ name: p.name, filename: p.filename, contentType: p.contentType, data: Buffer.concat(chunks).toString("utf8") });
  }
  return out;
}

describe("readMultipart", () => {
  it("reads fields and a file whatever the chunk size", async () => {
    const csv = "a,b\r\n1,2\r\n--not-a-boundary\r\n";
    const form = new FormData();
    form.append("name", "iris-ü");
    form.append("file", new Blob([csv], { type: "text/csv" }), "data.csv");
    form.append("target", "");
    const { body, contentType } = await encode(form);
    for (const size of [1, 3, 17, 4096]) {
      expect(await collect(body, contentType, size)).toEqual([
        { name: "name", filename: null, contentType: null, data: "iris-ü" },
        { name: "file", filename: "data.csv", contentType: "text/csv", data: csv },
        { name: "target", filename: null, contentType: null, data: "" },
      ]);
    }
  });

  it("skips what a consumer does not read", async () => {
    const form = new FormData();
    form.append("file", new Blob(["x".repeat(10_000)]), "big.csv");
    form.append("name", "after");
    const { body, contentType } = await encode(form);
    const names: string[] = [];
    let last = "";
    for await (const p of readMultipart(pieces(body, 100), multipartBoundary(contentType))) {
      names.push(p.name);
      if (p.name === "name") for await (const c of p.body) last += c.toString();
    }
    expect(names).toEqual(["file", "name"]);
    expect(last).toBe("after");
  });

  it("refuses a body that is not multipart or is cut short", async () => {
    expect(() => multipartBoundary("application/json")).toThrow("Expected a multipart/form-data body");
    expect(() => multipartBoundary("multipart/form-data")).toThrow("The multipart/form-data content type has no boundary");
    const form = new FormData();
    form.append("file", new Blob(["a,b\n1,2\n"]), "x.csv");
    const { body, contentType } = await encode(form);
    await expect(collect(body.subarray(0, body.length - 30), contentType, 8)).rejects.toMatchObject({
      code: "invalid",
      message: "Malformed multipart/form-data body: it ends inside the 'file' part",
    });
  });
});
