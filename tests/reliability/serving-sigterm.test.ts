// SIGTERM under load against server.ts (its fast path, in a child process, without Next: only one
// Next dev server may run per checkout). What an operator checks after a rolling update: the process
// exited 0, no request got a non-2xx answer, and the prediction log holds exactly one row per
// prediction the clients received (requests of 1-3 rows: rows, not requests, are counted).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { withTempArtifactStore } from "../support/artifact-store";
import { makeApiKey, uid } from "../support/factories";
import { killChildren } from "../support/processes";
import { irisWithSite, registerTrained, trainSmall } from "../support/serving";
import { sleep } from "../support/wait";
import { predictLoad } from "./support/load";
import { startFastServer, type FastServer } from "./support/processes";

const NAME = `shutdown-${uid()}`;
withTempArtifactStore("reliability-sigterm");
let key: string;
let server: FastServer;

beforeAll(async () => {
  await registerTrained(NAME, await trainSmall(irisWithSite()), { champion: true });
  key = (await makeApiKey("viewer")).key;
  server = await startFastServer({ PREDICT_RATE_LIMIT: "0" });
}, 120_000);

afterAll(killChildren);

describe("graceful shutdown", () => {
  it("logs exactly the predictions that were answered 200 when SIGTERM arrives under load", async () => {
    const load = predictLoad({ url: server.url, model: NAME, key, clients: 8, rowsPerRequest: (n) => 1 + (n % 3) });
    // Warm-up and load: the key lookup and the model load happen on the first requests.
    await sleep(2_000);
    const before = load.answers.length;
    server.child.proc.kill("SIGTERM");
    const { code } = await server.child.exited;
    await load.done;
    expect(code, server.child.output()).toBe(0);

    const { answers } = load;
    expect(answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body}`)).toEqual([]);
    expect(before).toBeGreaterThan(10);
    // Every client ended because the server went away, not because of an answer.
    expect(load.failures).toHaveLength(8);
    const answered = answers.flatMap((a) => a.predictionIds);
    expect(answered.length).toBeGreaterThan(answers.length); // several rows per request

    const model = await db().registeredModel.findUniqueOrThrow({ where: { name: NAME } });
    const logged = await db().predictionLog.findMany({ where: { modelId: model.id }, select: { id: true } });
    expect(logged.length).toBe(answered.length);
    expect(new Set(logged.map((l) => l.id))).toEqual(new Set(answered));
  }, 60_000);
});
