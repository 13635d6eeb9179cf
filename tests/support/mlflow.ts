// Calls the MLflow catch-all route handlers the way the Python client does: GET parameters in the
// query string, a JSON body for every other method.
import * as artifactsRoute from "@/app/api/2.0/mlflow-artifacts/[...path]/route";
import * as mlflowRoute from "@/app/api/2.0/mlflow/[...path]/route";

type Method = "GET" | "POST" | "PATCH" | "DELETE" | "PUT";

export interface Reply {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export function mlflowClient(key: string | null) {
  const headers = (extra: Record<string, string> = {}) => ({
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...extra,
  });

  async function call(method: Method, path: string, payload?: Record<string, unknown>): Promise<Reply> {
    const url = new URL(`http://localhost/api/2.0/mlflow/${path}`);
    let body: string | undefined;
    if (method === "GET") {
      for (const [k, v] of Object.entries(payload ?? {})) {
        for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
      }
    } else if (payload) body = JSON.stringify(payload);
    const req = new Request(url, { method, headers: headers({ "content-type": "application/json" }), body });
    const res = await mlflowRoute[method](req, { params: Promise.resolve({ path: path.split("/") }) });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : null };
  }

  async function artifacts(method: "GET" | "PUT" | "DELETE", path: string, opts: { query?: Record<string, string>; data?: string | Uint8Array } = {}) {
    const url = new URL(`http://localhost/api/2.0/mlflow-artifacts/${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const req = new Request(url, { method, headers: headers(), body: opts.data as BodyInit | undefined });
    const segments = path.split("/");
    const res = await artifactsRoute[method](req, { params: Promise.resolve({ path: segments }) });
    const buf = Buffer.from(await res.arrayBuffer());
    const text = buf.toString("utf8");
    let body: unknown = null;
    if ((res.headers.get("content-type") ?? "").startsWith("application/json")) body = JSON.parse(text);
    return { status: res.status, text, bytes: buf, body: body as Reply["body"], headers: res.headers };
  }

  return { call, artifacts };
}
