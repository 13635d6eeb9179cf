// The sample Grafana dashboard and the Prometheus alert rules use only metrics the platform exports,
// with their real labels, and are well-formed (what Grafana's import and promtool would reject first).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { metrics } from "@/lib/observability";
import { root } from "./deploy-env";

/** Exported series names (histograms as _bucket/_sum/_count) → their label names. */
async function exported(): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const m of await metrics().registry.getMetricsAsJSON()) {
    if (!m.name.startsWith("mlops_")) continue;
    // prom-client keeps label names on the metric object; the JSON only has them on values.
    const labels = new Set<string>((metrics().registry.getSingleMetric(m.name) as unknown as { labelNames: string[] }).labelNames);
    const names = String(m.type) === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
    for (const n of names) out.set(n, n.endsWith("_bucket") ? new Set([...labels, "le"]) : labels);
  }
  return out;
}

/** Each metric selector in a PromQL expression: name, label names it matches on or groups by. */
function check(expr: string, known: Map<string, Set<string>>, where: string): void {
  let depth = 0;
  for (const ch of expr) {
    depth += ch === "(" ? 1 : ch === ")" ? -1 : 0;
    expect(depth, `${where}: unbalanced parentheses in ${expr}`).toBeGreaterThanOrEqual(0);
  }
  expect(depth, `${where}: unbalanced parentheses`).toBe(0);
  const used = [...expr.matchAll(/\b(mlops_[a-z_]+)(\{[^}]*\})?/g)];
  expect(used.length, `${where} uses no mlops metric`).toBeGreaterThan(0);
  for (const [, name, selector] of used) {
    expect(known.has(name!), `${where}: ${name} is not exported`).toBe(true);
    for (const [, label] of (selector ?? "").matchAll(/(\w+)\s*(?:=~|!=|!~|=)/g)) {
      expect(known.get(name!)!.has(label!), `${where}: ${name} has no label ${label}`).toBe(true);
    }
  }
  const all = new Set([...used.flatMap(([, n]) => [...known.get(n!)!]), "instance", "job"]);
  for (const [, list] of expr.matchAll(/\b(?:by|without|ignoring|on)\s*\(([^)]*)\)/g)) {
    for (const label of list!.split(",").map((s) => s.trim()).filter(Boolean)) expect(all.has(label), `${where}: no series has label ${label}`).toBe(true);
  }
}

describe("deploy/grafana/mlops-dashboard.json", () => {
  const dash = JSON.parse(readFileSync(join(root, "deploy/grafana/mlops-dashboard.json"), "utf8")) as {
    uid: string;
    title: string;
    schemaVersion: number;
    templating: { list: { name: string }[] };
    panels: { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets?: { refId: string; expr: string }[] }[];
  };

  it("is a dashboard Grafana can import: uid, title, unique panel ids, panels on the 24-column grid", () => {
    expect(dash.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dash.title).toBeTruthy();
    expect(dash.schemaVersion).toBeGreaterThan(30);
    expect(new Set(dash.panels.map((p) => p.id)).size).toBe(dash.panels.length);
    for (const p of dash.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    expect(dash.templating.list.map((v) => v.name)).toEqual(["datasource", "model"]);
  });

  it("queries only exported metrics and labels", async () => {
    const known = await exported();
    const queried = new Set<string>();
    for (const p of dash.panels.filter((p) => p.type !== "row")) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(new Set(p.targets!.map((t) => t.refId)).size, p.title).toBe(p.targets!.length);
      for (const t of p.targets!) {
        check(t.expr, known, `panel '${p.title}'`);
        for (const [, n] of t.expr.matchAll(/\b(mlops_[a-z_]+?)(?:_bucket|_sum|_count)?\b/g)) queried.add(n!);
      }
    }
    // Every platform metric is on the dashboard somewhere.
    const base = [...known.keys()].map((n) => n.replace(/_(bucket|sum|count)$/, ""));
    for (const n of base) expect([...queried].some((q) => q === n || `${q}`.startsWith(n)), `${n} is on no panel`).toBe(true);
  });
});

describe("deploy/prometheus/alerts.yml", () => {
  const rules = parse(readFileSync(join(root, "deploy/prometheus/alerts.yml"), "utf8")) as {
    groups: { name: string; rules: { alert: string; expr: string; for?: string; labels: { severity: string }; annotations: { summary: string; description: string } }[] }[];
  };

  it("has named groups of alerts with a severity, a summary and a description each", () => {
    const all = rules.groups.flatMap((g) => g.rules);
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    for (const r of all) {
      expect(r.alert).toMatch(/^Mlops[A-Za-z0-9]+$/);
      expect(["info", "warning", "critical"]).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toBeTruthy();
      if (r.for) expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });

  it("alerts on what an operator needs, with exported metrics and labels only", async () => {
    const known = await exported();
    const all = rules.groups.flatMap((g) => g.rules);
    for (const r of all) check(r.expr, known, `alert ${r.alert}`);
    const names = all.map((r) => r.alert);
    for (const needed of ["MlopsPredictLatencyHigh", "MlopsHttp5xxRate", "MlopsNoLiveWorker", "MlopsQueueBacklog", "MlopsJobWaitingLong", "MlopsDeadJobs", "MlopsDriftShareHigh"]) {
      expect(names).toContain(needed);
    }
  });
});
