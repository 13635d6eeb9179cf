const CONTENT_TYPES: Record<string, string> = {
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  yaml: "text/yaml; charset=utf-8",
  yml: "text/yaml; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
};

/** Content type for serving an artifact. HTML, SVG and unknown types go out as bytes: they could run script in our origin. */
export function contentTypeFor(path: string): string {
  const ext = path.split(".").pop()?.toLowerCase() ?? "";
  return CONTENT_TYPES[ext] ?? "application/octet-stream";
}

/** Headers for an artifact download (nosniff keeps browsers from second-guessing the type). */
export function downloadHeaders(path: string, size: number): Record<string, string> {
  return { "content-type": contentTypeFor(path), "content-length": String(size), "x-content-type-options": "nosniff" };
}
