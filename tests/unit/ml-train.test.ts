import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  createRng,
  loadModel,
  permutationImportance,
  predict,
  saveModel,
  sha256,
  takeRows,
  trainModel,
  type ClassificationMetrics,
  type Model,
  type NumericStep,
  type RegressionMetrics,
  type Table,
  TrainingDivergedError,
} from "@/lib/ml";
import { tableOf } from "@/tests/support/ml-table";

const SLOW = 120_000;

/** A small mixed table: the class depends on `signal` and on `shop`; `noise` and `comment` carry nothing. */
function shopTable(rows: number, seed: number): Table {
  const rng = createRng(seed);
  const signal: (number | null)[] = [];
  const noise: number[] = [];
  const shop: (string | null)[] = [];
  const comment: string[] = [];
  const label: string[] = [];
  const spend: number[] = [];
  for (let i = 0; i < rows; i++) {
    const s = rng.next() * 4 - 2;
    const k = ["north", "south", "east", "west"][rng.int(4)]!;
    signal.push(rng.next() < 0.05 ? null : s);
    noise.push(rng.next());
    shop.push(rng.next() < 0.05 ? null : k);
    comment.push(`free text ${i}`);
    const bonus = k === "north" ? 1.5 : k === "south" ? -1.5 : 0;
    label.push(s + bonus + (rng.next() - 0.5) > 0 ? "buy" : "skip");
    spend.push(100 + 30 * s + 20 * bonus + 5 * (rng.next() - 0.5));
  }
  return tableOf({ signal, noise, shop, comment, label, spend }, { comment: "text" });
}

const FAST = { epochs: 60, patience: 10 };

describe("trainModel", () => {
  it("splits, fits preprocessing on the training rows only, trains, evaluates and builds a manifest", { timeout: SLOW }, async () => {
    const table = shopTable(300, 1);
    const epochs: number[] = [];
    const res = await trainModel(table, {
      target: "label",
      family: "linear",
      params: FAST,
      seed: 7,
      preprocessing: { minFrequency: 1 },
      onEpoch: (r) => void epochs.push(r.epoch),
      now: () => new Date("2025-01-02T03:04:05Z"),
    });
    expect(res.task).toBe("classification");
    expect(res.rows).toEqual({ train: res.split.train.length, validation: res.split.validation.length, test: res.split.test.length });
    expect(res.rows.train + res.rows.validation + res.rows.test).toBe(300);
    expect(res.rows.test).toBe(60);
    expect(epochs).toEqual(res.history.map((h) => h.epoch));

    // The imputation median and scaling mean come from the training rows alone.
    const signal = table.columns.find((c) => c.name === "signal")!.values as Float64Array;
    const trainValues = Array.from(res.split.train, (r) => signal[r]!).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    const step = res.model.preprocessor.steps.find((s) => s.name === "signal") as NumericStep;
    const mid = trainValues.length >> 1;
    expect(step.fill).toBe(trainValues.length % 2 ? trainValues[mid] : (trainValues[mid - 1]! + trainValues[mid]!) / 2);
    const imputed = Array.from(res.split.train, (r) => (Number.isNaN(signal[r]!) ? step.fill : signal[r]!));
    expect(step.center).toBeCloseTo(imputed.reduce((a, b) => a + b, 0) / imputed.length, 10);

    expect(res.model.preprocessor.dropped).toEqual([{ name: "comment", reason: "text" }]);
    const m = res.testMetrics as ClassificationMetrics;
    expect(m.accuracy).toBeGreaterThan(0.75);
    expect(m.confusion_matrix.flat().reduce((a, b) => a + b, 0)).toBe(60);
    expect(res.valMetrics).not.toBeNull();

    expect(res.manifest).toMatchObject({
      format: "mlops.model",
      formatVersion: 1,
      task: "classification",
      target: "label",
      classes: ["buy", "skip"],
      family: "linear",
      hyperparameters: { epochs: 60, patience: 10, l2: 1e-3 },
      training: { backend: res.backend, seed: 7, epochs: res.history.length },
      createdAt: "2025-01-02T03:04:05.000Z",
    });
    expect(res.manifest.signature.inputs.map((f) => f.name)).toEqual(["signal", "noise", "shop", "spend"]);
    expect(res.manifest.metrics.test).toMatchObject({ accuracy: m.accuracy });
  });

  it("ranks features by permutation importance, one entry per input feature (not per one-hot column)", { timeout: SLOW }, async () => {
    const res = await trainModel(shopTable(400, 2), { target: "label", family: "linear", params: FAST, seed: 3, importance: { repeats: 4 } });
    const names = res.importance!.map((i) => i.feature);
    expect(names.sort()).toEqual(["noise", "shop", "signal", "spend"]);
    // `spend` is a near-copy of signal and shop; together they carry the signal, `noise` carries nothing.
    const byName = Object.fromEntries(res.importance!.map((i) => [i.feature, i.importance]));
    expect(Math.max(byName.signal!, byName.spend!)).toBeGreaterThan(byName.noise! + 0.02);
  });

  it("trains a regression and reports metrics in the target's own units", { timeout: SLOW }, async () => {
    const res = await trainModel(shopTable(300, 3), { target: "spend", family: "linear", params: FAST, seed: 1, importance: false });
    expect(res.task).toBe("regression");
    const m = res.testMetrics as RegressionMetrics;
    expect(m.r2).toBeGreaterThan(0.9);
    // Residual noise is uniform ±2.5 (std ≈ 1.44); an RMSE in standardised units would be far below 1.
    expect(m.rmse).toBeGreaterThan(0.5);
    expect(m.rmse).toBeLessThan(10);
    const p = predict(res.model, [{ signal: 1, noise: 0.5, shop: "north", label: "buy" }]);
    expect(p.task === "regression" && p.values[0]! > 130 && p.values[0]! < 190).toBe(true);
  });

  it("uses a separate test table as given, and is reproducible for a seed", { timeout: SLOW }, async () => {
    const table = shopTable(240, 4);
    const test = shopTable(50, 5);
    const run = () => trainModel(table, { target: "label", family: "mlp", params: { epochs: 15, hidden_layers: [8] }, seed: 11, testTable: test, importance: false });
    const [a, b] = [await run(), await run()];
    expect(a.rows.test).toBe(50);
    expect(a.split.test.length).toBe(0);
    expect(a.manifest.model.weights.map((w) => w.sha256)).toEqual(b.manifest.model.weights.map((w) => w.sha256));
    expect(a.testMetrics).toEqual(b.testMetrics);
  });

  it("refuses a missing target, a single-class target and bad hyperparameters before training", async () => {
    const table = shopTable(50, 6);
    await expect(trainModel(table, { target: "price", family: "linear" })).rejects.toThrow(
      /Target column 'price' does not exist; columns are: signal, noise, shop, comment, label, spend/,
    );
    const single = tableOf({ x: [1, 2, 3, 4], y: ["a", "a", "a", "a"] });
    await expect(trainModel(single, { target: "y", family: "linear" })).rejects.toThrow(/single class 'a'/);
    await expect(trainModel(table, { target: "label", family: "mlp", params: { hidden_layers: "big" } })).rejects.toThrow(
      /Invalid hyperparameters for family 'mlp': hidden_layers/,
    );
  });

  it("fails the run with the divergence message when training blows up", { timeout: SLOW }, async () => {
    const t = shopTable(100, 7);
    const huge: Table = {
      rowCount: t.rowCount,
      columns: t.columns.map((c) => (c.name === "noise" ? { name: c.name, type: "numeric", values: (c.values as Float64Array).map((v) => v * 3e38) } : c)),
    };
    const run = trainModel(huge, { target: "spend", family: "linear", preprocessing: { standardize: false }, params: { ...FAST, solver: "adam" }, importance: false });
    await expect(run).rejects.toBeInstanceOf(TrainingDivergedError);
    await expect(run).rejects.toThrow(/training diverged \(loss became \w+ at epoch 1\); lower the learning rate/);
    // Regression's default closed-form solve overflows too, and says what to do about it instead.
    const solved = trainModel(huge, { target: "spend", family: "linear", preprocessing: { standardize: false }, importance: false });
    await expect(solved).rejects.toThrow(/training diverged \(loss became \w+ at epoch 1\); the inputs overflow float32 in the least-squares solve/);
  });
});

describe("model manifest", () => {
  let trained: Awaited<ReturnType<typeof trainModel>> | null = null;
  const table = shopTable(200, 8);
  const model = async (): Promise<NonNullable<typeof trained>> =>
    (trained ??= await trainModel(table, { target: "label", family: "mlp", params: { epochs: 10, hidden_layers: [6, 4] }, seed: 2, importance: false }));

  it("round-trips: the loaded model predicts exactly what the trained one did", { timeout: SLOW }, async () => {
    const { manifest, files, model: original } = await model();
    const text = JSON.stringify(manifest);
    const loaded = loadModel(text, new Map(files));
    const rows = takeRows(table, [0, 1, 2, 3, 4, 5, 6, 7]);
    const before = predict(original, rows);
    const after = predict(loaded, rows);
    expect(after).toEqual(before);
    const objects = [{ signal: 0.3, noise: 0.1, shop: "nowhere" }, { signal: null }];
    expect(predict(loaded, objects)).toEqual(predict(original, objects));
    expect(loaded.info.training.backend).toBe(original.info.training.backend);
    expect(saveModel(loaded).manifest).toEqual(manifest);
  });

  it("stores weights as float32 little-endian files whose SHA-256 is in the manifest", { timeout: SLOW }, async () => {
    const { manifest, files, model: m } = await model();
    expect(manifest.model.weights.map((w) => w.file).sort()).toEqual([...files.keys()].sort());
    for (const w of manifest.model.weights) {
      const bytes = files.get(w.file)!;
      expect(sha256(bytes)).toBe(w.sha256);
      expect(bytes.length).toBe(w.shape.reduce((a, b) => a * b, 4));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const last = bytes.length / 4 - 1;
      expect(view.getFloat32(last * 4, true)).toBe(m.state.tensors[w.name]!.data[last]);
    }
  });

  it("refuses a weight file whose bytes changed, naming the file", { timeout: SLOW }, async () => {
    const { manifest, files } = await model();
    const name = manifest.model.weights[0]!.file;
    const tampered = new Map(files);
    const bytes = files.get(name)!.slice();
    bytes[5] = bytes[5]! ^ 0x01;
    tampered.set(name, bytes);
    expect(() => loadModel(manifest, tampered)).toThrow(new RegExp(`weight file '${name.replace(".", "\\.")}' failed its SHA-256 check`));
  });

  it("refuses missing files, newer formats, unsafe file names and malformed manifests", { timeout: SLOW }, async () => {
    const { manifest, files } = await model();
    const first = manifest.model.weights[0]!;
    const without = new Map(files);
    without.delete(first.file);
    expect(() => loadModel(manifest, without)).toThrow(`Model weight file '${first.file}' is missing`);
    expect(() => loadModel({ ...manifest, formatVersion: 2 }, files)).toThrow(/format version 2 is newer/);
    const escaped = { ...manifest, model: { ...manifest.model, weights: [{ ...first, file: "../../etc/passwd" }] } };
    expect(() => loadModel(escaped, files)).toThrow(/model\.weights\.0\.file: must be a plain file name/);
    expect(() => loadModel("{not json", files)).toThrow(/not valid JSON/);
    expect(() => loadModel({ ...manifest, family: "nope" }, files)).toThrow(/Unknown model family 'nope'/);
  });

  it("refuses a file of the wrong size even when its hash was updated to match", { timeout: SLOW }, async () => {
    const { manifest, files } = await model();
    const first = manifest.model.weights[0]!;
    const short = files.get(first.file)!.slice(0, 8);
    const edited = { ...manifest, model: { ...manifest.model, weights: [{ ...first, sha256: sha256(short) }, ...manifest.model.weights.slice(1)] } };
    expect(() => loadModel(edited, new Map([...files, [first.file, short]]))).toThrow(/holds 8 bytes/);
  });

  it("scores a saved model in a fresh process without loading TensorFlow.js", { timeout: SLOW }, async () => {
    const { manifest, files, model: m } = await model();
    const dir = mkdtempSync(path.join(tmpdir(), "ml-model-"));
    try {
      writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
      for (const [name, bytes] of files) writeFileSync(path.join(dir, name), bytes);
      const rows = [{ signal: 1.2, noise: 0.4, shop: "north", spend: 140 }, { signal: -0.5, shop: "unseen-shop" }];
      const child = fileURLToPath(new URL("../support/ml-score-child.ts", import.meta.url));
      const out = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", child, dir, JSON.stringify(rows)], { encoding: "utf8" })) as {
        tensorflowLoaded: boolean;
        labels: string[];
        probabilities: number[];
      };
      expect(out.tensorflowLoaded).toBe(false);
      const here = predict(m, rows);
      expect(here.task === "classification" && { labels: here.labels, probabilities: Array.from(here.probabilities) }).toEqual({
        labels: out.labels,
        probabilities: out.probabilities,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("predicts class labels from the manifest's classes", { timeout: SLOW }, async () => {
    const { model: m } = await model();
    const p = predict(m as Model, takeRows(table, [0, 1, 2]));
    expect(p.task).toBe("classification");
    if (p.task === "classification") {
      expect(p.labels.every((l) => l === "buy" || l === "skip")).toBe(true);
      for (let r = 0; r < 3; r++) expect(p.probabilities[2 * r]! + p.probabilities[2 * r + 1]!).toBeCloseTo(1, 12);
    }
  });
});

describe("permutationImportance", () => {
  it("scores a whole block of columns as one feature and gives an unused feature exactly zero", () => {
    // Column 0 decides the label; columns 1–2 (one feature's one-hot block) are ignored by the "model".
    const rows = 200;
    const rng = createRng(5);
    const data = new Float32Array(rows * 3);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      data[r * 3] = rng.next() - 0.5;
      data[r * 3 + 1 + rng.int(2)] = 1;
      y[r] = data[r * 3]! > 0 ? 1 : 0;
    }
    const score = (X: { data: Float32Array; rows: number }) => {
      let hit = 0;
      for (let r = 0; r < X.rows; r++) if ((X.data[r * 3]! > 0 ? 1 : 0) === y[r]) hit++;
      return hit / X.rows;
    };
    const blocks = [
      { feature: "decisive", start: 0, end: 1 },
      { feature: "colour", start: 1, end: 3 },
    ];
    const imp = permutationImportance(score, { data, rows, cols: 3 }, blocks, { repeats: 5, seed: 1, higherIsBetter: true });
    expect(imp.map((i) => i.feature)).toEqual(["decisive", "colour"]);
    expect(imp[0]!.importance).toBeGreaterThan(0.3);
    expect(imp[1]).toEqual({ feature: "colour", importance: 0, std: 0 });
    // The input matrix is left as it was.
    expect(score({ data, rows })).toBe(1);
  });
});
