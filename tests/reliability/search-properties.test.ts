// Property-based test (fast-check) of run search against the real database: a tag or param value
// with quotes, backslashes, SQL-looking text or any unicode, written into a filter the way a person
// quotes it, finds exactly the run that has it with `=` and `IN`, and exactly the others with `!=`.
// The parser binds values as parameters; this checks the round trip through SQL on both databases.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createExperiment, createRun, logBatch, searchRuns } from "@/lib/tracking";
import { uid } from "../support/factories";

const quote = (s: string) => `'${s.split("'").join("''")}'`;
// Text a database stores as it is: no NUL (PostgreSQL refuses it in text) and no lone surrogates.
const valueArb = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
  fc.constantFrom("'", "''", "a' OR '1'='1", "x'); DROP TABLE \"Run\"; --", "\\'", "%", "_", "\"", "`", "Ω≈ç√", "🙂 🙃"),
).filter((s) => !s.includes("\u0000") && s.trim().length > 0);

let experimentId: string;
beforeAll(async () => {
  experimentId = (await createExperiment(null, { name: `search-props-${uid()}` })).id;
});

describe("run search with arbitrary values", () => {
  it("finds exactly the run whose tag or param has the quoted value", async () => {
    await fc.assert(
      fc.asyncProperty(valueArb, fc.constantFrom("tags", "params"), async (value, entity) => {
        const key = `k-${uid()}`;
        const run = await createRun(null, { experimentId });
        const other = await createRun(null, { experimentId });
        const field = entity === "tags" ? "tags" : "params";
        await logBatch(null, run.id, { [field]: [{ key, value }] });
        await logBatch(null, other.id, { [field]: [{ key, value: `${value}x` }] });
        const ids = async (filter: string) => (await searchRuns({ experimentIds: [experimentId], filter })).items.map((r) => r.id);
        expect(await ids(`${entity}.\`${key}\` = ${quote(value)}`)).toEqual([run.id]);
        expect(await ids(`${entity}.\`${key}\` IN (${quote(value)}, ${quote(`${value}y`)})`)).toEqual([run.id]);
        expect(await ids(`${entity}.\`${key}\` != ${quote(value)}`)).toEqual([other.id]);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
