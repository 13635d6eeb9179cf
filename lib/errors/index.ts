// One error model for the whole platform; HTTP mapping lives here and nowhere else.
export type ErrorCode =
  | "invalid"
  | "not_found"
  | "conflict"
  | "forbidden"
  | "unauthenticated"
  | "payload_too_large"
  | "rate_limited"
  | "unavailable"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly status: number;
  constructor(code: ErrorCode, message: string, details?: unknown, status?: number) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
    this.status = status ?? STATUS[code];
  }
}

export const invalid = (message: string, details?: unknown) => new AppError("invalid", message, details);
export const notFound = (what: string, id?: string) =>
  new AppError("not_found", id === undefined ? `${what} not found` : `${what} '${id}' not found`);
export const conflict = (message: string, details?: unknown) => new AppError("conflict", message, details);
export const forbidden = (message = "You do not have permission to do this") => new AppError("forbidden", message);
export const unauthenticated = (message = "Sign in or send an API key as 'Authorization: Bearer <key>'") =>
  new AppError("unauthenticated", message);

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Turns anything thrown into a status and the JSON body of DESIGN.md. Unknown errors become 500 without internals. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.details !== undefined) body.error.details = err.details;
    return { status: err.status, body };
  }
  const zod = zodIssues(err);
  if (zod) return { status: 400, body: { error: { code: "invalid", message: "Invalid input", details: zod } } };
  return { status: 500, body: { error: { code: "internal", message: "Internal error" } } };
}

/** Zod issues as `{path, message}` without importing Zod here. */
function zodIssues(err: unknown): { path: string; message: string }[] | null {
  if (!err || typeof err !== "object" || (err as { name?: string }).name !== "ZodError") return null;
  const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues ?? [];
  return issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
