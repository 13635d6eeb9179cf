// Opaque page tokens: an offset plus a fingerprint of the query, so a token is refused by any
// other query instead of silently paging through different results.
import { createHash } from "node:crypto";
import { invalid } from "../errors";

function fingerprint(query: unknown): string {
  return createHash("sha256").update(JSON.stringify(query)).digest("base64url").slice(0, 10);
}

/** Where the next page starts: an offset, and for keyset paging the last row seen (start time, id). */
export interface PageCursor {
  offset: number;
  after?: { startTime: number; id: string };
}

export function encodePageToken(offset: number, query: unknown, after?: PageCursor["after"]): string {
  const k = after ? [after.startTime, after.id] : undefined;
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint(query), k })).toString("base64url");
}

export function decodePageToken(token: string | undefined | null, query: unknown): number {
  return decodePageCursor(token, query).offset;
}

export function decodePageCursor(token: string | undefined | null, query: unknown): PageCursor {
  if (!token) return { offset: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid("Invalid page token");
  }
  const p = parsed as { o?: unknown; f?: unknown; k?: unknown };
  if (!Number.isSafeInteger(p?.o) || (p.o as number) < 0 || typeof p.f !== "string") throw invalid("Invalid page token");
  if (p.f !== fingerprint(query)) throw invalid("The page token belongs to a different query");
  if (p.k === undefined) return { offset: p.o as number };
  const k = p.k as unknown[];
  if (!Array.isArray(k) || k.length !== 2 || !Number.isSafeInteger(k[0]) || typeof k[1] !== "string") throw invalid("Invalid page token");
  return { offset: p.o as number, after: { startTime: k[0] as number, id: k[1] } };
}

/** Cuts one page from `rows` fetched with limit+1, and makes the token for the next one. */
export function pageOf<T>(rows: T[], offset: number, limit: number, query: unknown): { items: T[]; nextPageToken: string | null } {
  const more = rows.length > limit;
  return { items: more ? rows.slice(0, limit) : rows, nextPageToken: more ? encodePageToken(offset + limit, query) : null };
}
