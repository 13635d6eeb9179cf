// 3 worker processes on PostgreSQL drain 200 jobs: each runs exactly once, none is lost (CI size;
// queue-claims.long.test.ts does 1,000 under `npm run test:reliability`).
import { afterEach, describe, it } from "vitest";
import { killChildren } from "../support/processes";
import { drainWithWorkers } from "./support/claim-race";

afterEach(killChildren);

describe.runIf(process.env.TEST_DB === "postgres")("claims by 3 worker processes on PostgreSQL", () => {
  it("runs each of 200 jobs exactly once", () => drainWithWorkers({ jobs: 200, workers: 3, concurrency: 4, timeoutMs: 90_000 }), 150_000);
});
