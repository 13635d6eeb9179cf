// TensorFlow.js backend choice (DESIGN.md): tfjs-node when installed, else WebAssembly, else pure-JS CPU.
// Only the training code imports this; scoring never loads TensorFlow.js.
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";

export type BackendName = "tensorflow" | "wasm" | "cpu";

const ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

let chosen: Promise<BackendName> | null = null;
let wasmPathSet = false;

/**
 * Initialises the best available backend once per process and returns its name. `prefer` starts the
 * search lower in the order (an operator avoiding one, a benchmark comparing them) and sticks: later
 * calls without it keep the backend it chose.
 */
export async function ensureBackend(prefer?: BackendName): Promise<BackendName> {
  if (prefer) chosen = pick(ORDER.slice(ORDER.indexOf(prefer)));
  chosen ??= pick(ORDER);
  const name = await chosen;
  // The backend is process-global: switch back if someone else switched it since.
  if (tf.getBackend() !== name) {
    await tf.setBackend(name);
    await tf.ready();
  }
  return name;
}

async function pick(candidates: readonly BackendName[]): Promise<BackendName> {
  for (const name of candidates) {
    if (await tryBackend(name)) return name;
  }
  throw new Error("No TensorFlow.js backend could be initialised");
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === "tensorflow") {
      // Optional dependency: a variable specifier keeps bundlers and tsc from requiring it.
      const specifier = "@tensorflow/tfjs-node";
      await import(/* webpackIgnore: true */ specifier);
    } else if (name === "wasm") {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      if (!wasmPathSet) wasm.setWasmPaths(wasmDir());
      wasmPathSet = true;
    }
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    // A backend can register yet fail its first kernel (missing .wasm file): run one op to be sure.
    const probe = tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).sum());
    const ok = (await probe.data())[0] === 8;
    probe.dispose();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

function wasmDir(): string {
  try {
    const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    return path.dirname(main) + path.sep;
  } catch {
    return path.join(process.cwd(), "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist") + path.sep;
  }
}
