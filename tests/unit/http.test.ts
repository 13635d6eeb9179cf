import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { resetConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { json, parseWith, queryObject, readJson, route } from "@/lib/http";

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/v1/things", { method: "POST", body, headers });

/** A body that arrives in chunks and never says how long it is (no content-length). */
function streamed(chunks: Uint8Array[], onCancel?: () => void, endless = false): Request {
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (endless) return ctl.enqueue(new Uint8Array(1024).fill(0x20));
      if (i < chunks.length) ctl.enqueue(chunks[i++]!);
      else ctl.close();
    },
    cancel() {
      onCancel?.();
    },
  });
  return new Request("http://localhost/x", { method: "POST", body: stream, duplex: "half" } as RequestInit);
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("readJson", () => {
  afterEach(() => {
    delete process.env.MAX_BODY_BYTES;
    resetConfig();
  });

  it("parses a JSON body", async () => {
    await expect(readJson(post(JSON.stringify({ a: [1, 2], b: "é" })))).resolves.toEqual({ a: [1, 2], b: "é" });
  });

  it("reads an empty or blank body as undefined", async () => {
    await expect(readJson(post(null))).resolves.toBeUndefined();
    await expect(readJson(post("  \n"))).resolves.toBeUndefined();
  });

  it("rejects malformed JSON as invalid (400)", async () => {
    const err = await rejection(readJson(post('{"name": "x",')));
    expect(err.code).toBe("invalid");
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/Malformed JSON/);
  });

  it("rejects a declared content-length over the limit without reading the body (413)", async () => {
    let cancelled = false;
    const req = streamed([], () => (cancelled = true), true);
    req.headers.set("content-length", "5000");
    const err = await rejection(readJson(req, 100));
    expect(err.code).toBe("payload_too_large");
    expect(err.status).toBe(413);
    expect(err.message).toContain("100");
    expect(req.bodyUsed).toBe(false);
    expect(cancelled).toBe(false);
  });

  it("rejects a streamed body once it grows over the limit, and stops reading it", async () => {
    let cancelled = false;
    // Endless body with no content-length: only counting the bytes can stop it.
    const err = await rejection(readJson(streamed([], () => (cancelled = true), true), 4096));
    expect(err.code).toBe("payload_too_large");
    expect(cancelled).toBe(true);
  });

  it("rejects a body that lies about its length", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ data: "x".repeat(500) }));
    const req = post(big, { "content-length": "10" });
    expect((await rejection(readJson(req, 100))).code).toBe("payload_too_large");
  });

  it("accepts a body of exactly the limit, split across chunks", async () => {
    const text = JSON.stringify({ data: "y".repeat(90) });
    const bytes = new TextEncoder().encode(text);
    const req = streamed([bytes.slice(0, 7), bytes.slice(7, 50), bytes.slice(50)]);
    await expect(readJson(req, bytes.byteLength)).resolves.toEqual({ data: "y".repeat(90) });
  });

  it("decodes UTF-8 split in the middle of a character", async () => {
    const bytes = new TextEncoder().encode('{"name":"Zoë ☃"}');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of 'ë'
    await expect(readJson(streamed([bytes.slice(0, cut), bytes.slice(cut)]))).resolves.toEqual({ name: "Zoë ☃" });
  });

  it("takes its default limit from MAX_BODY_BYTES", async () => {
    process.env.MAX_BODY_BYTES = "32";
    resetConfig();
    await expect(readJson(post(JSON.stringify({ ok: true })))).resolves.toEqual({ ok: true });
    expect((await rejection(readJson(post(JSON.stringify({ text: "z".repeat(40) }))))).code).toBe("payload_too_large");
  });
});

describe("parseWith", () => {
  const schema = z.object({ name: z.string().min(1), limit: z.coerce.number().int().default(10) });

  it("returns the parsed value with defaults and coercions applied", () => {
    expect(parseWith(schema, { name: "a", limit: "5" }, "query string")).toEqual({ name: "a", limit: 5 });
    expect(parseWith(schema, { name: "a" }, "query string")).toEqual({ name: "a", limit: 10 });
  });

  it("throws invalid (400) naming where the input was and each problem", () => {
    let err: unknown;
    try {
      parseWith(schema, { name: "", limit: "many" }, "request body");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^Invalid request body: /);
    expect(e.message).toContain("name: ");
    expect(e.message).toContain("limit: ");
    expect(e.details).toEqual([
      { path: "name", message: expect.any(String) },
      { path: "limit", message: expect.any(String) },
    ]);
  });

  it("reports a missing body as a problem with the whole value", () => {
    expect(() => parseWith(schema, undefined, "request body")).toThrow(/Invalid request body: /);
  });
});

describe("json and queryObject", () => {
  it("json() sends JSON that is never cached", async () => {
    const res = json({ a: 1 }, 201, { "x-extra": "1" });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-extra")).toBe("1");
    expect(await res.json()).toEqual({ a: 1 });
  });

  it("queryObject() reads the query string", () => {
    expect(queryObject(new Request("http://localhost/x?state=queued&limit=5"))).toEqual({ state: "queued", limit: "5" });
  });
});

describe("route() without credentials", () => {
  // No database is needed: requests without a usable credential are refused before any lookup.
  let called = false;
  const handler = route({ role: "viewer", body: z.object({ a: z.number() }) }, async () => {
    called = true;
    return { ok: true };
  });

  it.each([
    ["no credentials", {}],
    ["a non-Bearer Authorization header", { authorization: "Basic dXNlcjpwYXNz" }],
    ["a Bearer token that is not an API key", { authorization: "Bearer not-a-key" }],
    ["an empty Bearer", { authorization: "Bearer " }],
  ])("answers 401 with the JSON error shape for %s, and does not run the handler", async (_, headers) => {
    called = false;
    const res = await handler(post('{"a": 1}', headers), { params: Promise.resolve({}) });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
    expect(called).toBe(false);
  });

  it("refuses before reading the body, so an oversized upload is not consumed", async () => {
    const req = post("x".repeat(1000), { "content-length": "1000" });
    const res = await handler(req);
    expect(res.status).toBe(401);
    expect(req.bodyUsed).toBe(false);
  });
});
