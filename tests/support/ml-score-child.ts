// Child process for the "scoring never loads TensorFlow.js" test: loads a saved model from a folder,
// scores rows given as JSON, and reports whether TensorFlow.js's engine was created in this process.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { loadModel, predict } from "../../lib/ml/index";

const [dir, rowsJson] = process.argv.slice(2) as [string, string];
const files = new Map(readdirSync(dir).filter((f) => f !== "manifest.json").map((f) => [f, new Uint8Array(readFileSync(path.join(dir, f)))]));
const model = loadModel(readFileSync(path.join(dir, "manifest.json"), "utf8"), files);
const p = predict(model, JSON.parse(rowsJson) as Record<string, unknown>[]);
const out = p.task === "classification" ? { labels: p.labels, probabilities: Array.from(p.probabilities) } : { values: Array.from(p.values) };
// tfjs-core creates this global engine when its module is evaluated.
process.stdout.write(JSON.stringify({ tensorflowLoaded: "_tfengine" in globalThis, ...out }));
