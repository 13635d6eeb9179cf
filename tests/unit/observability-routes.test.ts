// The HTTP metrics' route label: every path maps to its template, so label cardinality stays bounded.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inSpan, nextRouteTemplates, routeMatcher, tracingEnabled } from "@/lib/observability";
import { SERVING_ROUTE_TEMPLATES } from "@/lib/serving";
import { root } from "./deploy-env";

describe("route labels", () => {
  const label = routeMatcher(["/api/health", "/api/metrics", ...SERVING_ROUTE_TEMPLATES, ...nextRouteTemplates(root)]);

  it.each([
    ["/", "/"],
    ["/models/iris", "/models/:name"],
    ["/ab-tests/new", "/ab-tests/new"],
    ["/ab-tests/0b5e2c1a-1111-4222-8333-444455556666", "/ab-tests/:id"],
    ["/drift/iris/reports/r1", "/drift/:model/reports/:id"],
    ["/api/v1/models/iris/versions/3", "/api/v1/models/:name/versions/:version"],
    ["/api/v1/models/iris/drift/reports/csv", "/api/v1/models/:name/drift/reports/csv"],
    ["/api/v1/models/iris/predict", "/api/v1/models/:name/predict"],
    ["/v1/models/iris:predict", "/v1/models/:name:predict"],
    ["/v2/models/iris/versions/2/infer", "/v2/models/:name/versions/:version/infer"],
    ["/v2/health/ready", "/v2/health/ready"],
    ["/api/2.0/mlflow/runs/get", "/api/2.0/mlflow/*path"],
    ["/api/v1/runs/r1/artifacts/model/manifest.json", "/api/v1/runs/:id/artifacts/*path"],
    ["/api/metrics", "/api/metrics"],
    ["/_next/static/chunks/main.js", "/_next/*"],
    ["/wp-admin/setup.php", "unmatched"],
    ["/models/iris/extra/segments", "unmatched"],
  ])("%s → %s", (path, expected) => {
    expect(label(path)).toBe(expected);
  });

  it("reads the production build's manifest when the app sources are absent", () => {
    const dir = mkdtempSync(join(tmpdir(), "routes-"));
    try {
      expect(nextRouteTemplates(dir)).toEqual([]);
      mkdirSync(join(dir, ".next"));
      writeFileSync(join(dir, ".next", "app-path-routes-manifest.json"), JSON.stringify({ "/(dashboard)/models/[name]/page": "/models/[name]", "/api/health/route": "/api/health" }));
      const fromBuild = routeMatcher(nextRouteTemplates(dir));
      expect(fromBuild("/models/wine")).toBe("/models/:name");
      expect(fromBuild("/api/health")).toBe("/api/health");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tracing off", () => {
  it("is off without OTEL_EXPORTER_OTLP_ENDPOINT, and inSpan only runs the function", async () => {
    expect(tracingEnabled()).toBe(false);
    await expect(inSpan("x", {}, async (span) => (span === null ? "ran without a span" : "span"))).resolves.toBe("ran without a span");
  });
});
