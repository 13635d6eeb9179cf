// Predict under load while a new version is promoted ten times, against server.ts's fast path in its
// own process. What an operator checks: no request failed (not one non-2xx, not one reset), every
// answer came from a version that was champion at some point, no client ever went back to an older
// version once it had seen a newer one, and the last promotion took effect.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promote } from "@/lib/registry";
import { withTempArtifactStore } from "../support/artifact-store";
import { makeApiKey, uid } from "../support/factories";
import { killChildren } from "../support/processes";
import { irisWithSite, registerTrained, trainSmall } from "../support/serving";
import { sleep } from "../support/wait";
import { predictLoad } from "./support/load";
import { startFastServer, type FastServer } from "./support/processes";

const PROMOTIONS = 10;
const NAME = `promote-load-${uid()}`;

withTempArtifactStore("reliability-promote");
let server: FastServer;
let key: string;

beforeAll(async () => {
  // Version 1 is the champion; versions 2..11 are promoted one after the other under load.
  const trained = await trainSmall(irisWithSite());
  await registerTrained(NAME, trained, { champion: true });
  for (let i = 0; i < PROMOTIONS; i++) await registerTrained(NAME, trained);
  key = (await makeApiKey("viewer")).key;
  server = await startFastServer({ PREDICT_RATE_LIMIT: "0" });
}, 150_000);

afterAll(killChildren);

describe("promotion under load", () => {
  it(`answers every request with 2xx while the champion changes ${PROMOTIONS} times`, async () => {
    const load = predictLoad({ url: server.url, model: NAME, key, clients: 8 });
    const promoted = [1];
    await sleep(1_000);
    for (let v = 2; v <= PROMOTIONS + 1; v++) {
      await promote(null, NAME, v, { reason: "reliability: promotion under load" });
      promoted.push(v);
      // Longer than the alias cache's refresh (about a second) every other time, so some versions really serve.
      await sleep(v % 2 === 0 ? 1_500 : 400);
    }
    // The last promotion takes effect: every client gets the last version.
    const last = PROMOTIONS + 1;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !Array.from({ length: 8 }, (_, c) => load.answers.findLast((a) => a.client === c)?.version === last).every(Boolean)) {
      await sleep(100);
    }
    await load.stop();

    const { answers, failures } = load;
    expect(failures).toEqual([]);
    const bad = answers.filter((a) => a.status < 200 || a.status > 299);
    expect(bad.slice(0, 5), `${bad.length} non-2xx answers`).toEqual([]);
    expect(answers.length).toBeGreaterThan(100);
    const served = new Set(answers.map((a) => a.version));
    expect([...served].filter((v) => v === null || !promoted.includes(v))).toEqual([]);
    expect(served.has(last)).toBe(true);
    // Some of the intermediate versions answered too (promotions took effect while requests ran).
    expect(served.size).toBeGreaterThan(PROMOTIONS / 2);
    for (let c = 0; c < 8; c++) {
      const seen = answers.filter((a) => a.client === c).map((a) => a.version!);
      expect(seen.at(-1)).toBe(last);
      const backwards = seen.findIndex((v, i) => i > 0 && v < seen[i - 1]!);
      expect(backwards, `client ${c} went back from v${seen[backwards - 1]} to v${seen[backwards]}`).toBe(-1);
    }
  }, 120_000);
});
