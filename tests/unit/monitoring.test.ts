// The pure parts of lib/monitoring: performance intervals (reference values from SciPy), the
// webhook signature (Python's hmac), cron slots, and how logged rows are read.
import { describe, expect, it } from "vitest";
import { dueSlot, inputsOf, monitorInputSchema, PerformanceAccumulator, predictionOf, signBody } from "@/lib/monitoring";

const labelled = (pairs: [unknown, unknown][]) => pairs.map(([prediction, value]) => ({ inputs: {}, prediction, value, numeric: typeof value === "number" ? value : null }));

describe("performance drift", () => {
  it("gives the window's accuracy a Wilson interval (scipy binomtest(...).proportion_ci('wilson'))", () => {
    const acc = new PerformanceAccumulator("accuracy");
    acc.add(labelled(Array.from({ length: 100 }, (_, i) => ["a", i < 60 ? "a" : "b"])));
    const r = acc.result(0.9, null, 0.05, 30);
    expect(r.window).toBe(0.6);
    expect(r.window_ci_low).toBeCloseTo(0.5020025867910618, 12);
    expect(r.window_ci_high).toBeCloseTo(0.6905987135675411, 12);
    // Reference taken as exact (no test size): the drop's interval is the window's normal one.
    expect(r.drop).toBeCloseTo(0.3, 12);
    const half = 1.959963984540054 * Math.sqrt(0.6 * 0.4 / 100);
    expect(r.drop_ci_low).toBeCloseTo(0.3 - half, 12);
    expect(r.drifted).toBe(true);
  });

  it("adds the reference's own sampling error when its test size is known", () => {
    const acc = new PerformanceAccumulator("accuracy");
    acc.add(labelled(Array.from({ length: 200 }, (_, i) => [1, i < 170 ? 1 : 0])));
    const r = acc.result(0.9, 30, 0.05, 30);
    const se = Math.sqrt((0.85 * 0.15) / 200 + (0.9 * 0.1) / 30);
    expect(r.drop_ci_high).toBeCloseTo(0.05 + 1.959963984540054 * se, 12);
    // A 5-point drop measured this loosely is not beyond the bound with confidence.
    expect(r.drifted).toBe(false);
  });

  it("uses the mean absolute error for regression, relative to the reference", () => {
    const acc = new PerformanceAccumulator("mae");
    acc.add(labelled([[0, 1], [0, 2.5], [1, 1.5], [0, -3], [10, 11.5], [-2, 0]]));
    const r = acc.result(1.25, null, 0.1, 5);
    expect(r.window).toBeCloseTo(1.75, 12);
    expect(r.window_ci_low).toBeCloseTo(1.0015263901214952, 12);
    expect(r.window_ci_high).toBeCloseTo(2.4984736098785048, 12);
    expect(r.drop).toBeCloseTo(0.4, 12);
  });

  it("says why it cannot judge: too few labels, feedback that cannot be compared, no reference", () => {
    const acc = new PerformanceAccumulator("mae");
    acc.add(labelled([[1, "cat"], [null, 2], [1, 2]]));
    expect(acc.result(1, 30, 0.1, 30)).toMatchObject({ n_labels: 1, drifted: false, skipped: expect.stringMatching(/not enough labelled predictions: 1, need at least 30 \(2 feedback values could not be compared\)/) });
    const ok = new PerformanceAccumulator("accuracy");
    ok.add(labelled(Array.from({ length: 40 }, () => ["x", "x"])));
    expect(ok.result(null, null, 0.05, 30)).toMatchObject({ window: 1, drifted: false, skipped: expect.stringMatching(/no reference metric/) });
  });
});

describe("webhook signature", () => {
  it("is HMAC-SHA256 of the body, hex, as Python's hmac computes it", () => {
    expect(signBody('{"event":"alert.drift"}', "0123456789abcdef")).toBe("sha256=30d84c6eab19b78ce49bd72954c3a0011a1235731000f47bd78fd03ad657e0a4");
  });
});

describe("schedule slots", () => {
  const t = (s: string) => new Date(`2026-03-01T${s}Z`);
  it("returns the newest slot in (after, now], collapsing missed ones", () => {
    expect(dueSlot("*/5 * * * *", t("10:02:00"), t("10:17:30"))?.toISOString()).toBe("2026-03-01T10:15:00.000Z");
    expect(dueSlot("*/5 * * * *", t("10:15:00"), t("10:19:59"))).toBeNull();
    expect(dueSlot("0 3 * * *", t("10:00:00"), t("10:30:00"))).toBeNull();
    expect(dueSlot("not cron", t("10:00:00"), t("11:00:00"))).toBeNull();
  });
});

describe("reading the prediction log", () => {
  it("takes the prediction from a bare value, an object field or an array", () => {
    expect(predictionOf("setosa")).toBe("setosa");
    expect(predictionOf(3.5)).toBe(3.5);
    expect(predictionOf({ prediction: "b", probabilities: [0.1, 0.9] })).toBe("b");
    expect(predictionOf({ label: 1 })).toBe(1);
    expect(predictionOf([7])).toBe(7);
    expect(predictionOf(null)).toBeNull();
    expect(predictionOf({ other: 1 })).toBeNull();
  });

  it("reads positional inputs in the signature's order", () => {
    expect(inputsOf([1, "x"], ["a", "b"])).toEqual({ a: 1, b: "x" });
    expect(inputsOf({ a: 2 }, ["a"])).toEqual({ a: 2 });
    expect(inputsOf({ instances: [[5]] }, ["a"])).toEqual({ a: 5 });
    expect(inputsOf("junk", ["a"])).toEqual({});
  });
});

describe("monitor input", () => {
  it("refuses what it cannot use, naming the field", () => {
    const bad = monitorInputSchema.safeParse({
      schedule: "every day",
      webhook_url: "ftp://x",
      webhook_secret: "short",
      config: { window: { hours: 1, last: 5 }, test: "t-test", dataset_drift_share: 2 },
      retrain_policy: { consecutive: 0 },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["schedule", "webhook_url", "webhook_secret", "config.window", "config.test", "config.dataset_drift_share", "retrain_policy.consecutive"]));
  });
});
