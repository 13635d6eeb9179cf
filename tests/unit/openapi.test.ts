import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/openapi.json/route";
import { registryApi } from "@/lib/registry";
import { trackingApi } from "@/lib/tracking";

const root = join(__dirname, "..", "..");

/** /api/v1/runs/{id}/artifacts/{path} → app/api/v1/runs/[id]/artifacts/[...path]/route.ts */
function routeFile(path: string): string {
  const segments = path.split("/").filter(Boolean).map((s) => (s === "{path}" ? "[...path]" : s.replace(/^\{(\w+)\}$/, "[$1]")));
  return join(root, "app", ...segments, "route.ts");
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 with every tracking and registry operation", async () => {
    const doc = await GET().json();
    expect(doc.openapi).toBe("3.1.0");
    for (const op of [...trackingApi, ...registryApi]) {
      expect(doc.paths[op.path]?.[op.method], `${op.method} ${op.path}`).toBeDefined();
    }
    expect(doc.paths["/api/v1/runs/{id}"].get.parameters).toEqual([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
  });

  it("describes bodies from the Zod schemas the handlers use", async () => {
    const doc = await GET().json();
    const batch = doc.paths["/api/v1/runs/{id}/log-batch"].post.requestBody.content["application/json"].schema;
    expect(batch.properties.metrics.maxItems).toBe(1000);
    expect(batch.properties.params.maxItems).toBe(100);
    const promote = doc.paths["/api/v1/models/{name}/promote"].post.requestBody.content["application/json"].schema;
    expect(promote.properties).toHaveProperty("version");
    expect(promote.properties.alias.default).toBe("champion");
    const history = doc.paths["/api/v1/runs/{id}/metric-history"].get.parameters.map((p: { name: string }) => p.name);
    expect(history).toEqual(["id", "key", "max_points"]);
  });

  it("lists only operations that have a route handler", () => {
    for (const op of [...trackingApi, ...registryApi]) {
      const file = routeFile(op.path);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, "utf8"), `${op.method.toUpperCase()} in ${file}`).toMatch(new RegExp(`export const ${op.method.toUpperCase()}\\b`));
    }
  });
});
