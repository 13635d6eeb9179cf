// Route templates for the HTTP metrics' `route` label ("/api/v1/models/:name/predict", not one series
// per model or id). Templates use Next's folder syntax: [param], [...rest], [[...optional]], and a
// parameter may carry a literal suffix in its segment ("[name]:predict", KServe's URL form).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

interface Node {
  fixed: Map<string, Node>;
  params: { suffix: string; node: Node }[];
  rest: { optional: boolean; template: string } | null;
  template: string | null;
}

const node = (): Node => ({ fixed: new Map(), params: [], rest: null, template: null });

/** "[id]" → ":id", "[...path]" → "*path": the label form of a template. */
function labelOf(template: string): string {
  return template.replace(/\[\[?\.\.\.([^\]]+)\]?\]/g, "*$1").replace(/\[([^\]]+)\]/g, ":$1");
}

function add(root: Node, template: string): void {
  const label = labelOf(template);
  let n = root;
  for (const seg of template.split("/").filter(Boolean)) {
    const rest = /^\[(\[)?\.\.\.[^\]]+\]\]?$/.exec(seg);
    if (rest) {
      n.rest ??= { optional: !!rest[1], template: label };
      return;
    }
    const param = /^\[[^\]]+\](.*)$/.exec(seg);
    if (param) {
      let p = n.params.find((x) => x.suffix === param[1]);
      if (!p) {
        p = { suffix: param[1]!, node: node() };
        // Longer suffixes first: "[name]:predict" before "[name]".
        n.params.push(p);
        n.params.sort((a, b) => b.suffix.length - a.suffix.length);
      }
      n = p.node;
    } else {
      let next = n.fixed.get(seg);
      if (!next) n.fixed.set(seg, (next = node()));
      n = next;
    }
  }
  n.template ??= label;
}

function find(n: Node, segs: string[], i: number): string | null {
  if (i === segs.length) return n.template ?? (n.rest?.optional ? n.rest.template : null);
  const seg = segs[i]!;
  const fixed = n.fixed.get(seg);
  const hit = fixed ? find(fixed, segs, i + 1) : null;
  if (hit) return hit;
  for (const p of n.params) {
    if (seg.length > p.suffix.length && seg.endsWith(p.suffix)) {
      const r = find(p.node, segs, i + 1);
      if (r) return r;
    }
  }
  return n.rest ? n.rest.template : null;
}

const CACHE_MAX = 5_000;

/**
 * A function from a request path to its route label: the matching template (static segments win over
 * parameters, parameters over catch-alls), "/_next/*" for Next's assets, else "unmatched". Results are
 * cached per path, so the hot predict path pays one Map lookup.
 */
export function routeMatcher(templates: Iterable<string>): (pathname: string) => string {
  const root = node();
  for (const t of templates) add(root, t);
  const cache = new Map<string, string>();
  return (pathname) => {
    const hit = cache.get(pathname);
    if (hit !== undefined) return hit;
    const label = pathname.startsWith("/_next/") ? "/_next/*" : (find(root, pathname.split("/").filter(Boolean), 0) ?? "unmatched");
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pathname, label);
    return label;
  };
}

const ROUTE_FILE = /^(page|route)\.(tsx?|jsx?|mdx?)$/;

function scanApp(dir: string, prefix: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && ROUTE_FILE.test(e.name)) out.push(prefix || "/");
    if (!e.isDirectory() || e.name.startsWith("_") || e.name.startsWith("@") || e.name === "node_modules") continue;
    // Route groups "(dashboard)" are not part of the URL.
    const seg = /^\(.*\)$/.test(e.name) ? "" : `/${e.name}`;
    scanApp(join(dir, e.name), prefix + seg, out);
  }
}

/**
 * The Next app's page and route templates: from the app/ folder when the sources are there (dev,
 * tests), else from the production build's .next/app-path-routes-manifest.json; [] when neither.
 */
export function nextRouteTemplates(projectDir: string): string[] {
  const app = join(projectDir, "app");
  try {
    if (existsSync(app)) {
      const out: string[] = [];
      scanApp(app, "", out);
      return out;
    }
    const manifest = join(projectDir, ".next", "app-path-routes-manifest.json");
    if (existsSync(manifest)) return Object.values(JSON.parse(readFileSync(manifest, "utf8")) as Record<string, string>);
  } catch {
    // Labels then fall back to "unmatched"; metrics must never stop the server from starting.
  }
  return [];
}
