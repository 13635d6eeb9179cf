import { invalid } from "../errors";

const MAX_PATH_LENGTH = 1024;

/**
 * Checks an artifact path and returns it unchanged: relative, slash-separated, no `.`/`..` or
 * empty segments, no backslashes, NUL or other control characters, no drive letters.
 * `allowRoot` accepts "" (the root of a listing).
 */
export function validateArtifactPath(path: unknown, opts: { allowRoot?: boolean } = {}): string {
  if (typeof path !== "string") throw invalid("Artifact path must be a string");
  if (path === "") {
    if (opts.allowRoot) return "";
    throw invalid("Artifact path is empty");
  }
  const reject = (why: string) => invalid(`Invalid artifact path '${printable(path)}': ${why}`, { path: printable(path) });
  if (path.length > MAX_PATH_LENGTH) throw reject(`longer than ${MAX_PATH_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(path)) throw reject("contains NUL or another control character");
  if (path.includes("\\")) throw reject("contains a backslash; use '/'");
  if (path.startsWith("/")) throw reject("absolute paths are not allowed");
  if (/^[A-Za-z]:/.test(path)) throw reject("drive letters are not allowed");
  for (const segment of path.split("/")) {
    if (segment === "") throw reject("empty segment ('//' or a trailing '/')");
    if (segment === "." || segment === "..") throw reject(`'${segment}' segments are not allowed`);
  }
  return path;
}

/** Joins validated relative paths; empty parts are skipped. */
export function joinArtifactPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`).slice(0, 200);
}
