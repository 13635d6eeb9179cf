import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AppError,
  conflict,
  forbidden,
  invalid,
  notFound,
  toErrorResponse,
  unauthenticated,
  type ErrorCode,
} from "@/lib/errors";
import { errorResponse } from "@/lib/http";

describe("toErrorResponse", () => {
  it.each<[ErrorCode, number]>([
    ["invalid", 400],
    ["unauthenticated", 401],
    ["forbidden", 403],
    ["not_found", 404],
    ["conflict", 409],
    ["payload_too_large", 413],
    ["rate_limited", 429],
    ["internal", 500],
    ["unavailable", 503],
  ])("maps %s to HTTP %i with the one JSON error shape", (code, status) => {
    const r = toErrorResponse(new AppError(code, `something ${code}`));
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error: { code, message: `something ${code}` } });
  });

  it("keeps details when an error has them", () => {
    const r = toErrorResponse(invalid("Bad row", [{ row: 3, column: "age" }]));
    expect(r).toEqual({
      status: 400,
      body: { error: { code: "invalid", message: "Bad row", details: [{ row: 3, column: "age" }] } },
    });
  });

  it("uses the helpers' codes and messages", () => {
    expect(toErrorResponse(notFound("Job", "abc"))).toEqual({
      status: 404,
      body: { error: { code: "not_found", message: "Job 'abc' not found" } },
    });
    expect(toErrorResponse(notFound("Model")).body.error.message).toBe("Model not found");
    expect(toErrorResponse(conflict("Name taken")).status).toBe(409);
    expect(toErrorResponse(forbidden()).body.error.code).toBe("forbidden");
    expect(toErrorResponse(unauthenticated()).body.error.message).toMatch(/Authorization: Bearer/);
  });

  it("honours an explicit status on an AppError", () => {
    expect(toErrorResponse(new AppError("unavailable", "Model loading", undefined, 504)).status).toBe(504);
  });

  it("turns a ZodError into 400 invalid with one detail per issue", () => {
    const schema = z.object({ name: z.string(), rows: z.array(z.object({ age: z.number() })) });
    const parsed = schema.safeParse({ rows: [{ age: "x" }] });
    expect(parsed.success).toBe(false);
    const r = toErrorResponse(parsed.error);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("invalid");
    expect(r.body.error.details).toEqual(
      expect.arrayContaining([
        { path: "name", message: expect.any(String) },
        { path: "rows.0.age", message: expect.any(String) },
      ]),
    );
    expect(r.body.error.details).toHaveLength(2);
  });

  it("turns anything else into 500 without leaking internals", () => {
    const secret = new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
    const r = toErrorResponse(secret);
    expect(r).toEqual({ status: 500, body: { error: { code: "internal", message: "Internal error" } } });
    expect(JSON.stringify(r.body)).not.toContain("hunter2");
    expect(toErrorResponse("a thrown string").status).toBe(500);
    expect(toErrorResponse(undefined).status).toBe(500);
    expect(toErrorResponse({ name: "TypeError", message: "x is undefined" }).status).toBe(500);
  });
});

describe("errorResponse", () => {
  it("is a JSON Response with the mapped status and body", async () => {
    const res = errorResponse(notFound("Run", "r1"));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Run 'r1' not found" } });
  });

  it("hides the message of an unexpected error", async () => {
    const res = errorResponse(new Error("SELECT * FROM secrets"));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secrets");
  });
});
