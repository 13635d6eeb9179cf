// Run search against an in-memory reference: every sort and filter path (index-ordered two-part
// sorts with ties, keyset pages, selective conditions read from an index first or not) must give
// the same runs in the same order, page by page, whatever the page size.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { countRuns, createExperiment, createRun, logBatch, matchesFilter, parseFilter, parseOrderBy, searchRuns, searchTuning } from "@/lib/tracking";
import { uid } from "../support/factories";

interface Ref {
  id: string;
  name: string;
  startTime: number;
  status: string;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
}

let experimentId = "";
let otherExperimentId = "";
const refs: Ref[] = [];

beforeAll(async () => {
  experimentId = (await createExperiment(null, { name: `search-ref-${uid()}` })).id;
  otherExperimentId = (await createExperiment(null, { name: `search-other-${uid()}` })).id;
  const base = 1_750_000_000_000;
  for (let i = 0; i < 36; i++) {
    // Every third run shares its start time with the one before: keyset pages must break ties by id.
    const startTime = base + Math.floor((i * 2) / 3) * 1000;
    const run = await createRun(null, { experimentId, name: `run-${String(i).padStart(2, "0")}`, startTime });
    const params: Record<string, string> = { lr: ["0.1", "0.01", "0.001"][i % 3]! };
    if (i % 4 !== 0) params.depth = String(2 + (i % 5));
    const tags: Record<string, string> = i % 6 === 5 ? {} : { team: ["risk", "growth", "ops"][i % 3]! };
    const metrics: Record<string, number> = {};
    if (i % 7 !== 3) metrics.acc = i % 9 === 0 ? 0.5 : (i * 37) % 100 / 100;
    if (i % 11 === 4) metrics.acc = NaN;
    metrics.loss = ((i * 13) % 17) / 17;
    await logBatch(null, run.id, {
      params: Object.entries(params).map(([key, value]) => ({ key, value })),
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(metrics).map(([key, value]) => ({ key, value: Number.isNaN(value) ? "NaN" : value, step: 1 })),
    });
    refs.push({ id: run.id, name: run.name, startTime, status: "RUNNING", params, tags, metrics });
  }
  // Another experiment with the same keys: searches stay in their scope.
  for (let i = 0; i < 3; i++) {
    const run = await createRun(null, { experimentId: otherExperimentId });
    await logBatch(null, run.id, { params: [{ key: "depth", value: "2" }], metrics: [{ key: "acc", value: 0.99 }] });
  }
});

const defaultSelective = searchTuning.selectiveMatches;
afterEach(() => {
  searchTuning.selectiveMatches = defaultSelective;
});

function valueOf(r: Ref, term: string): string | number | null {
  const [entity, key] = term.split(".") as [string, string];
  if (entity === "params") return r.params[key] ?? null;
  if (entity === "tags") return r.tags[key] ?? null;
  if (entity === "metrics") {
    const v = r.metrics[key];
    return v === undefined || Number.isNaN(v) ? null : v;
  }
  if (key === "run_name") return r.name;
  return r.startTime;
}

/** Reference order: each term with nulls (and NaN) last, then newest first, then id. */
function referenceOrder(orderBy: string[], filter: string): string[] {
  const comparisons = parseFilter(filter);
  const matching = refs.filter((r) =>
    matchesFilter(comparisons, (entity, key) => {
      if (entity === "param") return r.params[key];
      if (entity === "tag") return r.tags[key];
      if (entity === "metric") return Number.isNaN(r.metrics[key]) ? undefined : r.metrics[key];
      return key === "run_name" ? r.name : key === "status" ? r.status : r.startTime;
    }),
  );
  const terms = orderBy.map((o) => {
    const t = parseOrderBy(o);
    const prefix = t.entity === "attribute" ? "attributes" : `${t.entity}s`;
    return { term: `${prefix}.${t.key}`, desc: t.descending };
  });
  return matching
    .sort((a, b) => {
      for (const { term, desc } of terms) {
        const x = valueOf(a, term);
        const y = valueOf(b, term);
        if (x === y) continue;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * (desc ? -1 : 1);
      }
      return b.startTime - a.startTime || (a.id < b.id ? -1 : 1);
    })
    .map((r) => r.name);
}

async function pagedNames(filter: string, orderBy: string[], size: number): Promise<string[]> {
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await searchRuns({ experimentIds: [experimentId], filter, orderBy, maxResults: size, pageToken: token });
    expect(page.items.length).toBeLessThanOrEqual(size);
    seen.push(...page.items.map((r) => r.name));
    token = page.nextPageToken ?? undefined;
  } while (token);
  return seen;
}

const ORDERS: string[][] = [
  [],
  ["params.depth ASC"],
  ["params.depth DESC", "metrics.loss ASC"],
  ["params.lr ASC", "attributes.run_name DESC"],
  ["tags.team DESC"],
  ["metrics.acc DESC"],
  ["metrics.acc ASC", "params.lr DESC"],
  ["attributes.start_time ASC"],
];

const FILTERS = ["", "params.lr = '0.01'", "metrics.acc > 0.6", "tags.team IN ('ops', 'risk')", "params.depth = '3' and metrics.loss < 0.5"];

describe("run search matches a reference", () => {
  it("in every order, page by page, for several page sizes", async () => {
    for (const orderBy of ORDERS) {
      const expected = referenceOrder(orderBy, "");
      expect(expected).toHaveLength(36);
      for (const size of [1, 4, 7, 100]) expect(await pagedNames("", orderBy, size), `${orderBy.join(", ")} by ${size}`).toEqual(expected);
    }
  });

  it("with filters, whether a condition is read from its index first or tested run by run", async () => {
    for (const selective of [defaultSelective, 0]) {
      searchTuning.selectiveMatches = selective;
      for (const filter of FILTERS) {
        for (const orderBy of [[], ["params.depth ASC", "metrics.loss DESC"], ["metrics.acc DESC"]]) {
          const expected = referenceOrder(orderBy, filter);
          const label = `${filter} | ${orderBy.join(", ")} | selective ${selective}`;
          expect(await pagedNames(filter, orderBy, 5), label).toEqual(expected);
          expect(await countRuns({ experimentIds: [experimentId], filter }), label).toBe(expected.length);
        }
      }
    }
  });

  it("counts and finds nothing when a selective condition matches no run in scope", async () => {
    // acc = 0.99 exists only in the other experiment.
    expect(await countRuns({ experimentIds: [experimentId], filter: "metrics.acc = 0.99" })).toBe(0);
    expect((await searchRuns({ experimentIds: [experimentId], filter: "metrics.acc = 0.99" })).items).toEqual([]);
    expect(await countRuns({ experimentIds: [otherExperimentId], filter: "metrics.acc = 0.99" })).toBe(3);
    expect(await countRuns({ experimentIds: [experimentId, otherExperimentId], filter: "params.depth = '2'" })).toBe(
      referenceOrder([], "params.depth = '2'").length + 3,
    );
  });

  it("keeps a keyset token bound to its query", async () => {
    const first = await searchRuns({ experimentIds: [experimentId], maxResults: 5 });
    await expect(searchRuns({ experimentIds: [experimentId], maxResults: 5, filter: "params.lr = '0.1'", pageToken: first.nextPageToken! })).rejects.toMatchObject({
      code: "invalid",
    });
    const forged = Buffer.from(JSON.stringify({ o: 5, f: JSON.parse(Buffer.from(first.nextPageToken!, "base64url").toString()).f, k: ["x", 1] })).toString(
      "base64url",
    );
    await expect(searchRuns({ experimentIds: [experimentId], maxResults: 5, pageToken: forged })).rejects.toMatchObject({ code: "invalid" });
  });
});
