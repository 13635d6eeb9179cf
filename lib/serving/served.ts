// A model version ready to score: loaded once from the artifact store (SHA-256 checked by lib/ml) and
// kept in memory per version id. A request holds its ServedModel from start to end, so it finishes on
// the version it began with whatever an alias does meanwhile.
import { artifactStore, joinArtifactPath } from "../artifacts";
import { db } from "../db";
import { AppError, conflict } from "../errors";
import { loadModel, parseManifest, predictMatrix, type FeatureSpec, type Model } from "../ml";
import { logger, metrics } from "../observability";
import { getRunInfo, storePathOfUri } from "../tracking";
import { compileEncoder, type Encoder } from "./encode";

export interface ServedModel {
  readonly modelId: string;
  readonly modelName: string;
  readonly versionId: string;
  /** Version number as text (the API's "version"). */
  readonly version: string;
  readonly model: Model;
  readonly task: "classification" | "regression";
  readonly classes: readonly string[] | null;
  readonly encoder: Encoder;
  /** Last use (ms), for evicting versions nobody asks for any more. */
  lastUsed: number;
  /** Metric children per arm label ("" = no A/B test), looked up once per arm. */
  readonly meters: Map<string, ArmMeters>;
}

/** The Prometheus series of one (model, version, arm). */
export interface ArmMeters {
  readonly latency: { observe(seconds: number): void };
  readonly rows: { inc(n: number): void };
}

export interface Scored {
  /** Class labels or regression values, one per row. */
  readonly predictions: (string | number)[];
  /** rows × classes, row-major (classification only). */
  readonly probabilities: Float64Array | null;
  readonly nClasses: number;
}

export function score(served: ServedModel, X: Float32Array, rows: number): Scored {
  const p = predictMatrix(served.model, { data: X, rows, cols: served.encoder.width });
  if (p.task === "classification") return { predictions: p.labels, probabilities: p.probabilities, nClasses: p.classes.length };
  return { predictions: Array.from(p.values), probabilities: null, nClasses: 0 };
}

export function metersFor(served: ServedModel, arm: string): ArmMeters {
  let t = served.meters.get(arm);
  if (!t) {
    const m = metrics();
    const labels = [served.modelName, served.version, arm || "none"] as const;
    t = { latency: m.predictDuration.labels(...labels), rows: m.predictions.labels(...labels) };
    served.meters.set(arm, t);
  }
  return t;
}

/** Store folder of a version's model files, from its registered source. */
async function modelFolder(source: string, where: string): Promise<string> {
  if (source.startsWith("mlflow-artifacts:/")) return storePathOfUri(source);
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
  if (runs) {
    const run = await getRunInfo(runs[1]!);
    return joinArtifactPath(storePathOfUri(run.artifactUri), runs[2] ?? "");
  }
  throw conflict(`${where} cannot be served: its source '${source}' is not in the artifact store; register a version whose source is a run's model folder (mlflow-artifacts:/… or runs:/RUN_ID/model)`);
}

async function load(versionId: string): Promise<ServedModel> {
  const row = await db().modelVersion.findUnique({
    where: { id: versionId },
    select: { version: true, source: true, modelId: true, model: { select: { name: true } } },
  });
  if (!row) throw new AppError("not_found", `Model version '${versionId}' no longer exists`);
  const where = `Version ${row.version} of model '${row.model.name}'`;
  try {
    const folder = await modelFolder(row.source, where);
    const store = artifactStore();
    const manifestText = (await store.get(joinArtifactPath(folder, "manifest.json"))).toString("utf8");
    const manifest = parseManifest(manifestText);
    const files = new Map<string, Uint8Array>();
    for (const w of manifest.model.weights) files.set(w.file, await store.get(joinArtifactPath(folder, w.file)));
    const model = loadModel(manifest, files);
    const features = manifest.signature.inputs as unknown as FeatureSpec[];
    logger().info({ model: row.model.name, version: row.version, versionId }, "model version loaded for serving");
    return {
      modelId: row.modelId,
      modelName: row.model.name,
      versionId,
      version: String(row.version),
      model,
      task: model.target.task,
      classes: model.target.task === "classification" ? model.target.classes : null,
      encoder: compileEncoder(model.preprocessor, features),
      lastUsed: Date.now(),
      meters: new Map(),
    };
  } catch (err) {
    if (err instanceof AppError && err.code === "conflict") throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw conflict(`${where} cannot be served: its model files did not load (${why}); register a version with a complete model folder`);
  }
}

interface VersionEntry {
  value: ServedModel | null;
  promise: Promise<ServedModel>;
  /** A failed load is retried after this time (ms) rather than on every request. */
  failedUntil: number;
}

const EVICT_AFTER_MS = 10 * 60_000;
const RETRY_FAILED_MS = 5_000;

const g = globalThis as unknown as { __mlopsServedVersions?: Map<string, VersionEntry>; __mlopsServedSweep?: NodeJS.Timeout };

function versions(): Map<string, VersionEntry> {
  if (!g.__mlopsServedVersions) {
    g.__mlopsServedVersions = new Map();
    // Drop versions idle for a while (a retired champion); a later request loads them again.
    g.__mlopsServedSweep = setInterval(() => {
      const now = Date.now();
      for (const [id, e] of g.__mlopsServedVersions!) if (e.value && now - e.value.lastUsed > EVICT_AFTER_MS) g.__mlopsServedVersions!.delete(id);
    }, 60_000);
    g.__mlopsServedSweep.unref();
  }
  return g.__mlopsServedVersions;
}

/** The loaded version, synchronously when it is in memory; else a promise of it. */
export function servedVersion(versionId: string): ServedModel | Promise<ServedModel> {
  const cache = versions();
  const hit = cache.get(versionId);
  if (hit) {
    if (hit.value) {
      hit.value.lastUsed = Date.now();
      return hit.value;
    }
    if (hit.failedUntil === 0 || hit.failedUntil > Date.now()) return hit.promise;
  }
  const entry: VersionEntry = { value: null, promise: null as unknown as Promise<ServedModel>, failedUntil: 0 };
  entry.promise = load(versionId).then(
    (m) => {
      entry.value = m;
      return m;
    },
    (err: unknown) => {
      entry.failedUntil = Date.now() + RETRY_FAILED_MS;
      throw err;
    },
  );
  // Callers that only preload must not leave an unhandled rejection behind.
  entry.promise.catch(() => undefined);
  cache.set(versionId, entry);
  return entry.promise;
}

/** Forgets every loaded version (tests; a changed artifact store). */
export function clearServedVersions(): void {
  versions().clear();
}
