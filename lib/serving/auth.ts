// Who is calling a predict route, without a database round trip per request: API keys are resolved
// once and remembered for KEY_TTL_MS (so a revoked key stops working within that time), and each
// key spends tokens from its own bucket (PREDICT_RATE_LIMIT per second, PREDICT_RATE_BURST at once).
import { authenticate, authenticateApiKey, type Actor } from "../auth";
import { config } from "../config";
import { AppError, unauthenticated } from "../errors";

export const KEY_TTL_MS = 5_000;
const MAX_KEYS = 10_000;

interface KeyEntry {
  actor: Actor | null;
  expires: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

interface State {
  keys: Map<string, KeyEntry>;
  pending: Map<string, Promise<Actor | null>>;
  buckets: Map<string, Bucket>;
}

const g = globalThis as unknown as { __mlopsServingAuth?: State };
function state(): State {
  return (g.__mlopsServingAuth ??= { keys: new Map(), pending: new Map(), buckets: new Map() });
}

function lookup(key: string): Promise<Actor | null> {
  const s = state();
  let p = s.pending.get(key);
  if (!p) {
    // One database lookup per key however many requests arrive while it runs.
    p = authenticateApiKey(key).then(
      (actor) => {
        s.pending.delete(key);
        if (s.keys.size >= MAX_KEYS) s.keys.clear();
        s.keys.set(key, { actor, expires: Date.now() + KEY_TTL_MS });
        return actor;
      },
      (err: unknown) => {
        s.pending.delete(key);
        throw err;
      },
    );
    s.pending.set(key, p);
  }
  return p;
}

/**
 * The caller of a predict route (any role): a bearer API key, or a dashboard session cookie.
 * Returns synchronously when the key is cached.
 */
export function callerOf(authorization: string | undefined, cookie: string | undefined): Actor | Promise<Actor> {
  if (authorization !== undefined && authorization.startsWith("Bearer ")) {
    const key = authorization.slice(7).trim();
    const hit = state().keys.get(key);
    if (hit && hit.expires > Date.now()) {
      if (!hit.actor) throw unauthenticated("The API key is unknown or revoked");
      return hit.actor;
    }
    return lookup(key).then((actor) => {
      if (!actor) throw unauthenticated("The API key is unknown or revoked");
      return actor;
    });
  }
  if (authorization === undefined && cookie !== undefined) {
    return authenticate({ authorization: null, cookie }).then((actor) => {
      if (!actor) throw unauthenticated();
      return actor;
    });
  }
  throw unauthenticated();
}

/** Spends one request of the caller's budget; throws 429 with the seconds to wait when it is empty. */
export function takeToken(actor: Actor, now = Date.now()): void {
  const c = config();
  const rate = c.PREDICT_RATE_LIMIT;
  if (rate <= 0) return;
  const burst = c.PREDICT_RATE_BURST ?? Math.max(1, Math.ceil(rate));
  const buckets = state().buckets;
  let b = buckets.get(actor.id);
  if (!b) {
    if (buckets.size >= MAX_KEYS) buckets.clear();
    b = { tokens: burst, last: now };
    buckets.set(actor.id, b);
  } else {
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) * rate) / 1000);
    b.last = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return;
  }
  const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / rate));
  throw new AppError("rate_limited", `Rate limit of ${rate} requests per second for ${actor.label} reached; retry after ${retryAfter} s`, {
    retry_after_seconds: retryAfter,
    limit_per_second: rate,
  });
}

/** Forgets cached keys and buckets (tests). */
export function clearServingAuth(): void {
  const s = state();
  s.keys.clear();
  s.buckets.clear();
}
