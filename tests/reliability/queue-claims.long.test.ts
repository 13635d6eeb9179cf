// 3 worker processes on PostgreSQL drain 1,000 jobs: each runs exactly once, none is lost.
import { afterEach, describe, it } from "vitest";
import { killChildren } from "../support/processes";
import { drainWithWorkers } from "./support/claim-race";

afterEach(killChildren);

describe.runIf(process.env.TEST_DB === "postgres")("claims by 3 worker processes on PostgreSQL", () => {
  it("runs each of 1,000 jobs exactly once", () => drainWithWorkers({ jobs: 1000, workers: 3, concurrency: 4, timeoutMs: 300_000 }), 420_000);
});
