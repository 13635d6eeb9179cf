// A second core for the one expensive step, sorting. A column buffer is moved (transferred, not
// copied) to one worker thread, which sorts it while this thread sorts another column, and moved
// back; this thread waits with Atomics.wait and takes the reply with receiveMessageOnPort, so the
// API stays synchronous. When the worker is not running yet (or cannot start, or
// MLOPS_DRIFT_THREADS=0), columns are simply sorted here.

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { RADIX_MIN, sortInPlace, sortValues } from "./sort";


/** Below this many values a column is sorted on the spot: handing it over costs more than it saves. */
export const PARALLEL_MIN = 1 << 16;

export interface SortTicket {
  /** Waits until the first `length` values are sorted; returns the array that now holds them. */
  join(): Float64Array;
}

let worker: Worker | null = null;
let port: MessagePort | null = null;
let broken = false;
let busy = false;
// Set by the worker once it runs: until then columns are sorted here, so a worker that fails to
// start can never leave a caller waiting.
let ready: Int32Array | null = null;

// The worker's code is the sort function's own (transpiled) source: no loader or file path needed.
function source(): string {
  return `
const { workerData } = require("node:worker_threads");
const RADIX_MIN = ${RADIX_MIN};
const sortInPlace = ${sortInPlace.toString()};
let scratch = new Float64Array(0);
workerData.port.on("message", ({ buffer, length, flag }) => {
  let status = 1;
  try {
    if (scratch.length < length) scratch = new Float64Array(length);
    sortInPlace(new Float64Array(buffer, 0, length), scratch);
  } catch {
    status = 2;
  }
  workerData.port.postMessage({ buffer }, [buffer]);
  Atomics.store(flag, 0, status);
  Atomics.notify(flag, 0);
});
Atomics.store(workerData.ready, 0, 1);`;
}

function getWorker(): Worker | null {
  if (broken) return null;
  if (worker) return worker;
  if (process.env.MLOPS_DRIFT_THREADS === "0") {
    broken = true;
    return null;
  }
  try {
    const channel = new MessageChannel();
    ready = new Int32Array(new SharedArrayBuffer(4));
    worker = new Worker(source(), { eval: true, workerData: { ready, port: channel.port1 }, transferList: [channel.port1] });
    port = channel.port2;
    worker.unref();
    port.unref();
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

/**
 * Hands the first `length` values of `values` to the worker to sort, if it is up and idle, and
 * returns the ticket to collect them; null when it cannot take them now (sort them yourself, or
 * try again later). `values` must own its whole ArrayBuffer: it moves to the worker and is
 * unusable until join().
 */
export function trySortOnWorker(values: Float64Array, length = values.length): SortTicket | null {
  if (length < PARALLEL_MIN || values.byteOffset !== 0 || values.buffer instanceof SharedArrayBuffer) return null;
  // Asking for the worker also starts it, so it is up for a later column if not for this one.
  const w = getWorker();
  if (!w || !port || busy || !ready || Atomics.load(ready, 0) !== 1) return null;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  busy = true;
  const buffer = values.buffer as ArrayBuffer;
  port.postMessage({ buffer, length, flag }, [buffer]);
  let result: Float64Array | null = null;
  return {
    join() {
      if (result) return result;
      // A worker that dies mid-sort must not hang the caller forever.
      const r = Atomics.wait(flag, 0, 0, 120_000);
      busy = false;
      const reply = port ? receiveMessageOnPort(port) : undefined;
      if (r === "timed-out" || !reply) {
        broken = true;
        void worker?.terminate();
        worker = null;
        throw new Error("drift: the sorting thread stopped answering; set MLOPS_DRIFT_THREADS=0 to sort on one thread");
      }
      result = new Float64Array((reply.message as { buffer: ArrayBuffer }).buffer);
      if (Atomics.load(flag, 0) !== 1) sortValues(result.subarray(0, length));
      return result;
    },
  };
}
