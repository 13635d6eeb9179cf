// Concurrent predict clients for the reliability suite: each client sends one request after the
// other (so its answers are in order) until stopped or until the server is gone, and keeps every
// answer, so a test can check statuses, the version that answered and the prediction ids.

export interface Answer {
  client: number;
  status: number;
  /** The model version that answered (200 only; the API gives it as text). */
  version: number | null;
  predictionIds: string[];
  body: string;
}

export interface Load {
  answers: Answer[];
  /** Requests that got no HTTP answer (connection refused or reset), with the error message. */
  failures: { client: number; error: string }[];
  /** Asks the clients to stop after their current request; resolves when they have. */
  stop(): Promise<void>;
  /** Resolves when every client has stopped (asked to, or its request failed). */
  done: Promise<void>;
}

/** An iris-with-site row (tests/support/serving.ts irisWithSite), varied so requests differ. */
export function irisRow(i: number): Record<string, number | string> {
  return {
    "sepal length (cm)": 4.5 + (i % 30) / 10,
    "sepal width (cm)": 2.5 + (i % 10) / 10,
    "petal length (cm)": 1 + (i % 50) / 10,
    "petal width (cm)": 0.1 + (i % 20) / 10,
    site: ["north", "south", "east"][i % 3]!,
  };
}

export function predictLoad(opts: { url: string; model: string; key: string; clients: number; rowsPerRequest?: (n: number) => number }): Load {
  const answers: Answer[] = [];
  const failures: Load["failures"] = [];
  let stopping = false;
  let sent = 0;
  const client = async (c: number) => {
    while (!stopping) {
      const n = sent++;
      const rows = opts.rowsPerRequest?.(n) ?? 1;
      try {
        const r = await fetch(`${opts.url}/api/v1/models/${encodeURIComponent(opts.model)}/predict`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${opts.key}` },
          body: JSON.stringify({ instances: Array.from({ length: rows }, (_, k) => irisRow(n + k)) }),
        });
        const body = await r.text();
        const json = r.status === 200 ? (JSON.parse(body) as { prediction_ids: string[]; model: { version: string } }) : null;
        answers.push({ client: c, status: r.status, version: json ? Number(json.model.version) : null, predictionIds: json?.prediction_ids ?? [], body: json ? "" : body });
      } catch (err) {
        failures.push({ client: c, error: String((err as Error & { cause?: unknown }).cause ?? err) });
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.clients }, (_, c) => client(c))).then(() => undefined);
  return {
    answers,
    failures,
    done,
    stop: () => {
      stopping = true;
      return done;
    },
  };
}
