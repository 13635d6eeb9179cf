// A second core for the one expensive step, sorting. Columns are copied into SharedArrayBuffer
// memory anyway (missing values are filtered out on the way), so one worker thread can sort a
// column in place while the main thread sorts another; the main thread then waits with
// Atomics.wait. The API stays synchronous, and everything falls back to sorting on the calling
// thread when a worker cannot start (MLOPS_DRIFT_THREADS=0 turns the worker off).

import { Worker } from "node:worker_threads";
import { RADIX_MIN, sortInPlace } from "./sort";

/** Below this many values a column is sorted on the spot: handing it over costs more than it saves. */
export const PARALLEL_MIN = 1 << 16;

export interface SortTicket {
  /** Blocks until the values are sorted. */
  join(): void;
}

const DONE: SortTicket = { join() {} };

let worker: Worker | null = null;
let broken = false;
let busy = false;
// Set by the worker once it runs: until then columns are sorted here, so a worker that fails to
// start can never leave a caller waiting.
let ready: Int32Array | null = null;

// The worker's code is the sort function's own (transpiled) source: no loader or file path needed.
function source(): string {
  return `
const { parentPort, workerData } = require("node:worker_threads");
const RADIX_MIN = ${RADIX_MIN};
Atomics.store(workerData.ready, 0, 1);
const sortInPlace = ${sortInPlace.toString()};
parentPort.on("message", ({ values, flag }) => {
  try {
    const local = values.slice();
    sortInPlace(local);
    values.set(local);
    Atomics.store(flag, 0, 1);
  } catch {
    Atomics.store(flag, 0, 2);
  }
  Atomics.notify(flag, 0);
});`;
}

function getWorker(): Worker | null {
  if (broken) return null;
  if (worker) return worker;
  if (process.env.MLOPS_DRIFT_THREADS === "0") {
    broken = true;
    return null;
  }
  try {
    ready = new Int32Array(new SharedArrayBuffer(4));
    worker = new Worker(source(), { eval: true, workerData: { ready } });
    worker.unref();
    worker.on("error", () => {
      broken = true;
      worker = null;
    });
    return worker;
  } catch {
    broken = true;
    return null;
  }
}

/** Whether new column buffers should be shared memory (so the worker can sort them). */
export function parallelAvailable(): boolean {
  return getWorker() !== null;
}

/** A Float64Array the worker can sort when it is large enough, else an ordinary one. */
export function columnBuffer(size: number): Float64Array {
  return size >= PARALLEL_MIN && parallelAvailable() ? new Float64Array(new SharedArrayBuffer(size * 8)) : new Float64Array(size);
}

/**
 * Starts sorting `values` in place: on the worker when the array is shared and large, else right
 * away on this thread. Only one column is handed over at a time, so the caller can sort another
 * meanwhile.
 */
export function startSort(values: Float64Array): SortTicket {
  const w = values.length >= PARALLEL_MIN && values.buffer instanceof SharedArrayBuffer ? getWorker() : null;
  if (!w || busy || !ready || Atomics.load(ready, 0) !== 1) {
    sortInPlace(values);
    return DONE;
  }
  const flag = new Int32Array(new SharedArrayBuffer(4));
  busy = true;
  w.postMessage({ values, flag });
  let joined = false;
  return {
    join() {
      if (joined) return;
      joined = true;
      // A worker that died or hangs must not hang the caller: after a minute, sort here instead.
      const r = Atomics.wait(flag, 0, 0, 60_000);
      busy = false;
      if (r === "timed-out" || Atomics.load(flag, 0) !== 1) {
        broken = true;
        void worker?.terminate();
        worker = null;
        sortInPlace(values);
      }
    },
  };
}
