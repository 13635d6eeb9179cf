// Datasets through the REST route handlers, on SQLite and PostgreSQL.
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listRoute, POST as uploadRoute } from "@/app/api/v1/datasets/route";
import { GET as datasetRoute } from "@/app/api/v1/datasets/[name]/route";
import { GET as versionRoute } from "@/app/api/v1/datasets/[name]/versions/[version]/route";
import { GET as previewRoute } from "@/app/api/v1/datasets/[name]/versions/[version]/preview/route";
import { GET as downloadRoute } from "@/app/api/v1/datasets/[name]/versions/[version]/download/route";
import { resetConfig } from "@/lib/config";
import { db } from "@/lib/db";
import { createDatasetVersion, readTable, type DatasetVersionDetail } from "@/lib/datasets";
import { makeApiKey, makeUser, uid } from "../support/factories";

const SHARED = join(import.meta.dirname, "..", "..", "..", "shared", "datasets");
const IRIS = readFileSync(join(SHARED, "iris.csv"));
const BASE = "http://localhost/api/v1/datasets";

let store: string;
let editor: string;
let viewer: string;
const savedEnv = { ARTIFACT_STORE: process.env.ARTIFACT_STORE, MAX_UPLOAD_BYTES: process.env.MAX_UPLOAD_BYTES, MAX_DATASET_COLUMNS: process.env.MAX_DATASET_COLUMNS };

function setEnv(vars: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfig();
}

beforeAll(async () => {
  store = mkdtempSync(join(tmpdir(), "datasets-store-"));
  setEnv({ ARTIFACT_STORE: `file:${store}` });
  editor = (await makeApiKey("editor")).key;
  viewer = (await makeApiKey("viewer")).key;
});

afterAll(() => {
  setEnv(savedEnv);
  rmSync(store, { recursive: true, force: true });
});

function upload(form: FormData, key = editor, query = ""): Promise<Response> {
  return uploadRoute(new Request(`${BASE}${query}`, { method: "POST", body: form, headers: { authorization: `Bearer ${key}` } }));
}

function uploadCsv(body: string | Buffer | Readable, query: string, key = editor, contentType = "text/csv"): Promise<Response> {
  const init: RequestInit & { duplex?: "half" } = { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": contentType } };
  if (body instanceof Readable) {
    init.body = Readable.toWeb(body) as unknown as ReadableStream;
    init.duplex = "half"; // a streamed request body
  } else init.body = typeof body === "string" ? body : new Uint8Array(body);
  return uploadRoute(new Request(`${BASE}${query}`, init));
}

function form(fields: Record<string, string>, file?: { data: string | Buffer; name?: string }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) {
    const data = typeof file.data === "string" ? file.data : new Uint8Array(file.data);
    f.append("file", new Blob([data], { type: "text/csv" }), file.name ?? "data.csv");
  }
  return f;
}

const get = (handler: typeof datasetRoute, path: string, params: Record<string, string>, key = viewer) =>
  handler(new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${key}` } }), { params: Promise.resolve(params) });

function storedFiles(): string[] {
  return readdirSync(store, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

async function snapshot() {
  return { datasets: await db().dataset.count(), versions: await db().datasetVersion.count(), files: storedFiles() };
}

describe("uploading versions", () => {
  const name = `iris-${uid()}`;
  let v1: DatasetVersionDetail;

  it("creates a dataset and version 1 from a multipart form", async () => {
    const res = await upload(form({ name, description: "Fisher's iris", target: "target" }, { data: IRIS, name: "iris.csv" }));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.created).toBe(true);
    expect(body.dataset).toMatchObject({ name, description: "Fisher's iris", versionCount: 1 });
    v1 = body.version;
    expect(v1).toMatchObject({ datasetName: name, version: 1, rowCount: 150, columnCount: 5, sizeBytes: IRIS.length });
    expect(v1.schema.map((c) => c.type)).toEqual(["numeric", "numeric", "numeric", "numeric", "categorical"]);
    expect(v1.validation.target).toMatchObject({ column: "target", task: "classification" });
    expect(v1.profile.columns[0]).toMatchObject({ name: "sepal length (cm)", mean: expect.closeTo(5.8433333, 6) });
    expect(storedFiles()).toContain(join(store, "datasets", `${v1.sha256}.csv`));
  });

  it("returns the existing version for the same bytes (here as a streamed text/csv body)", async () => {
    const before = await snapshot();
    const res = await uploadCsv(createReadStream(join(SHARED, "iris.csv")), `?name=${name}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ created: false, version: { id: v1.id, version: 1, sha256: v1.sha256 } });
    expect(await snapshot()).toEqual(before);
  });

  it("adds version 2 for different bytes, and keeps one file per content", async () => {
    const changed = IRIS.toString("utf8").split("\n").slice(0, 100).join("\n") + "\n";
    const res = await uploadCsv(changed, `?name=${name}&schema=${encodeURIComponent(JSON.stringify({ target: "text" }))}`);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.version).toMatchObject({ version: 2, rowCount: 99 });
    expect(body.version.schema[4]).toMatchObject({ name: "target", type: "text", inferredType: "categorical" });
    expect(body.dataset.latest).toMatchObject({ version: 2 });

    // The same bytes under another name: a new dataset, the stored file is shared.
    const files = storedFiles();
    const other = await upload(form({ name: `${name}-copy` }, { data: IRIS }));
    expect(other.status).toBe(201);
    expect((await other.json()).version).toMatchObject({ version: 1, sha256: v1.sha256 });
    expect(storedFiles()).toEqual(files);
  });

  it("takes form fields in any order, and the query string as defaults", async () => {
    const f = new FormData();
    f.append("file", new Blob(["x,y\n1,a\n2,b\n"]), "late.csv");
    f.append("description", "fields after the file");
    const res = await upload(f, editor, `?name=${name}-late`);
    expect(res.status).toBe(201);
    expect((await res.json()).dataset).toMatchObject({ name: `${name}-late`, description: "fields after the file" });
  });

  it("accepts a browser's mixed-case boundary", async () => {
    const boundary = "----WebKitFormBoundaryAbCdEfGh12";
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="name"',
      "",
      `${name}-browser`,
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="b.csv"',
      "Content-Type: text/csv",
      "",
      "p,q\n1,2\n",
      `--${boundary}--`,
      "",
    ].join("\r\n");
    const res = await uploadRoute(
      new Request(BASE, {
        method: "POST",
        body,
        headers: { authorization: `Bearer ${editor}`, "content-type": `multipart/form-data; boundary=${boundary}` },
      }),
    );
    expect(res.status).toBe(201);
    expect((await res.json()).version).toMatchObject({ rowCount: 1, columnCount: 2 });
  });

  it("records both versions and serves reads to a viewer", async () => {
    const list = await listRoute(new Request(`${BASE}?limit=500`, { headers: { authorization: `Bearer ${viewer}` } }));
    expect(list.status).toBe(200);
    const listed = (await list.json()).datasets.find((d: { name: string }) => d.name === name);
    expect(listed).toMatchObject({ versionCount: 2, latest: { version: 2 } });

    const ds = await (await get(datasetRoute, `/${name}`, { name })).json();
    expect(ds.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const one = await get(versionRoute, `/${name}/versions/1`, { name, version: "1" });
    expect(one.status).toBe(200);
    const detail = await one.json();
    expect(detail).toMatchObject({ id: v1.id, version: 1 });
    expect(detail.profile.columns).toHaveLength(5);
    expect(detail.validation.duplicateRows).toMatchObject({ count: 1, exact: true });
    const latest = await (await get(versionRoute, `/${name}/versions/latest`, { name, version: "latest" })).json();
    expect(latest.version).toBe(2);

    const preview = await (await get(previewRoute, `/${name}/versions/1/preview?rows=3`, { name, version: "1" })).json();
    expect(preview.rows).toEqual([
      ["5.1", "3.5", "1.4", "0.2", "setosa"],
      ["4.9", "3.0", "1.4", "0.2", "setosa"],
      ["4.7", "3.2", "1.3", "0.2", "setosa"],
    ]);
    expect(preview.columns[4]).toEqual({ name: "target", type: "categorical" });

    const dl = await get(downloadRoute, `/${name}/versions/1/download`, { name, version: "1" });
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(dl.headers.get("content-disposition")).toBe(`attachment; filename="${name}-v1.csv"`);
    expect(Buffer.from(await dl.arrayBuffer()).equals(IRIS)).toBe(true);
  });

  it("reads a version back as a typed table", async () => {
    const t = await readTable({ name, version: 1 });
    expect(t.rowCount).toBe(150);
    const first = t.columns[0]!;
    expect(first.values).toBeInstanceOf(Float64Array);
    expect(first.values[0]).toBe(5.1);
    const target = t.columns[4]!;
    expect(target).toMatchObject({ name: "target", type: "categorical" });
    expect(new Set(target.values as (string | null)[])).toEqual(new Set(["setosa", "versicolor", "virginica"]));
    const byId = await readTable({ id: v1.id }, { columns: ["target"] });
    expect(byId.columns.map((c) => c.name)).toEqual(["target"]);
  });

  it("answers 404 for an unknown dataset or version and 400 for a bad version", async () => {
    const missing = await get(datasetRoute, "/nope", { name: `nope-${uid()}` });
    expect(missing.status).toBe(404);
    const v9 = await get(versionRoute, `/${name}/versions/9`, { name, version: "9" });
    expect(v9.status).toBe(404);
    expect((await v9.json()).error.message).toBe(`Version 9 of dataset '${name}' not found`);
    const bad = await get(versionRoute, `/${name}/versions/x`, { name, version: "x" });
    expect(bad.status).toBe(400);
  });
});

describe("bad uploads leave nothing behind", () => {
  const header20 = Array.from({ length: 20 }, (_, i) => `c${i}`).join(",");
  const cases: [string, () => Promise<Response>, number, string | RegExp][] = [
    ["an empty file", () => upload(form({ name: `bad-${uid()}` }, { data: "" })), 400, "The file is empty: it needs a header line and at least one data row"],
    ["a header only", () => upload(form({ name: `bad-${uid()}` }, { data: "a,b\n" })), 400, "The file has a header (2 columns) but no data rows"],
    ["a ragged row", () => uploadCsv("a,b\n1,2\n3\n", `?name=bad-${uid()}`), 400, "Line 3 has 1 field; the header has 2"],
    [
      "bytes that are not UTF-8",
      () => uploadCsv(Buffer.concat([Buffer.from("a,b\n1,"), Buffer.from([0xe9]), Buffer.from("t\n")]), `?name=bad-${uid()}`),
      400,
      /^The file is not UTF-8 text: byte 0xE9 at byte offset 6 \(line 2\)/,
    ],
    ["a duplicate column", () => upload(form({ name: `bad-${uid()}` }, { data: "a,a\n1,2\n" })), 400, "The header names 'a' twice (columns 1 and 2); column names must be unique"],
    ["too many columns", () => upload(form({ name: `bad-${uid()}` }, { data: `${header20}\n${"1,".repeat(19)}1\n` })), 400, "The header has more than 10 columns; at most 10 are accepted (MAX_DATASET_COLUMNS)"],
    ["an upload over the limit", () => uploadCsv(Readable.from([IRIS]), `?name=bad-${uid()}`), 413, "The file is larger than the 2 KiB upload limit (MAX_UPLOAD_BYTES)"],
    ["an override the data does not fit", () => upload(form({ name: `bad-${uid()}`, schema: '{"b":"numeric"}' }, { data: "a,b\n1,x\n" })), 400, "Column 'b' cannot be numeric: the value 'x' on line 2 is not a number"],
    ["schema that is not JSON", () => upload(form({ name: `bad-${uid()}`, schema: "{b:numeric" }, { data: "a,b\n1,x\n" })), 400, /^The 'schema' field is not valid JSON/],
    ["an unknown target", () => upload(form({ name: `bad-${uid()}`, target: "label" }, { data: "a,b\n1,x\n" })), 400, "The target column 'label' is not in the header; the columns are 'a', 'b'"],
    ["a bad dataset name", () => upload(form({ name: "../etc" }, { data: "a\n1\n" })), 400, /^Invalid dataset upload: name: Dataset names use letters/],
    ["no name at all", () => uploadCsv("a\n1\n", ""), 400, "Invalid dataset upload: name: A dataset needs a name"],
    ["no file part", () => upload(form({ name: `bad-${uid()}` })), 400, "The form has no 'file' part with the CSV"],
    ["an unknown form field", () => upload(form({ name: `bad-${uid()}`, colour: "red" }, { data: "a\n1\n" })), 400, "Unknown form field 'colour'; the fields are file, name, description, target, schema"],
    ["a viewer", () => upload(form({ name: `bad-${uid()}` }, { data: "a\n1\n" }), viewer), 403, /needs the editor role/],
    ["an unsupported body type", () => uploadCsv("{}", `?name=bad-${uid()}`, editor, "application/json"), 400, /^Send the CSV as multipart\/form-data/],
  ];

  beforeAll(() => setEnv({ MAX_UPLOAD_BYTES: "2048", MAX_DATASET_COLUMNS: "10" }));
  afterAll(() => setEnv({ MAX_UPLOAD_BYTES: savedEnv.MAX_UPLOAD_BYTES, MAX_DATASET_COLUMNS: savedEnv.MAX_DATASET_COLUMNS }));

  it.each(cases)("refuses %s", async (_what, send, status, message) => {
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBe(status);
    const body = await res.json();
    if (typeof message === "string") expect(body.error.message).toBe(message);
    else expect(body.error.message).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it("leaves nothing when the same name already has versions", async () => {
    const name = `keep-${uid()}`;
    const { actor } = await makeUser("editor");
    await createDatasetVersion(actor, { name, stream: Readable.from(["a,b\n1,2\n"]) });
    const before = await snapshot();
    const res = await upload(form({ name }, { data: "a,b\n1,2\n3\n" }));
    expect(res.status).toBe(400);
    expect(await snapshot()).toEqual(before);
    expect((await db().datasetVersion.findMany({ where: { dataset: { name } } })).map((v) => v.version)).toEqual([1]);
  });
});

describe("concurrent uploads", () => {
  it("of the same new dataset give one dataset and distinct version numbers", async () => {
    const name = `race-${uid()}`;
    const { actor } = await makeUser("editor");
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => createDatasetVersion(actor, { name, stream: Readable.from([`a,b\n${i},${i}\n`]) })),
    );
    expect(new Set(results.map((r) => r.dataset.id)).size).toBe(1);
    expect(results.map((r) => r.version.version).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe("the schema override of a stored version", () => {
  it("re-types columns, recomputes the profile, and refuses a type the data does not fit without changing anything", async () => {
    const { PUT: schemaRoute } = await import("@/app/api/v1/datasets/[name]/versions/[version]/schema/route");
    const name = `retype-${uid()}`;
    const { actor } = await makeUser("editor");
    await createDatasetVersion(actor, { name, stream: Readable.from(["zip,flag,city\n02139,1,Boston\n10001,0,New York\n02139,1,Boston\n"]) });
    const put = (body: unknown, key = editor) =>
      schemaRoute(
        new Request(`${BASE}/${name}/versions/1/schema`, { method: "PUT", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }),
        { params: Promise.resolve({ name, version: "1" }) },
      );
    const before = await db().datasetVersion.findFirstOrThrow({ where: { dataset: { name } } });
    expect((await put({ schema: { zip: "categorical" } }, viewer)).status).toBe(403);
    const bad = await put({ schema: { city: "numeric" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe("Column 'city' cannot be numeric: the value 'Boston' on line 2 is not a number");
    expect((await put({ schema: { nope: "text" } })).status).toBe(400);
    expect(await db().datasetVersion.findFirstOrThrow({ where: { dataset: { name } } })).toEqual(before);

    const ok = await put({ schema: { zip: "categorical", flag: "boolean" }, target: "flag" });
    expect(ok.status).toBe(200);
    const v = (await ok.json()) as DatasetVersionDetail;
    expect(v.schema.map((c) => [c.name, c.type, c.inferredType])).toEqual([
      ["zip", "categorical", "integer"],
      ["flag", "boolean", "integer"],
      ["city", "categorical", "categorical"],
    ]);
    expect(v.sha256).toBe(before.sha256);
    const zip = v.profile.columns.find((c) => c.name === "zip")!;
    expect(zip.type).toBe("categorical");
    expect("values" in zip && zip.values[0]).toEqual({ value: "02139", count: 2 });
    expect(v.validation.target).toMatchObject({ column: "flag", task: "classification" });
    // Training reads the new types: the leading zero of the zip code survives.
    const table = await readTable({ name });
    expect(table.columns[0]!.values[0]).toBe("02139");
  });
});

describe("the database artifact store (ARTIFACT_STORE=db:)", () => {
  beforeAll(() => setEnv({ ARTIFACT_STORE: "db:" }));
  afterAll(() => setEnv({ ARTIFACT_STORE: `file:${store}` }));

  it("stores, previews, downloads and reads versions back, with nothing left when an upload is refused", async () => {
    const name = `dbstore-${uid()}`;
    const res = await upload(form({ name, target: "target" }, { data: IRIS, name: "iris.csv" }));
    expect(res.status).toBe(201);
    const { version } = (await res.json()) as { version: DatasetVersionDetail };
    const blob = await db().artifactBlob.findUnique({ where: { path: `datasets/${version.sha256}.csv` }, select: { size: true, sha256: true } });
    expect(blob).toEqual({ size: IRIS.length, sha256: version.sha256 });

    const params = { params: Promise.resolve({ name, version: "1" }) };
    const auth = { headers: { authorization: `Bearer ${viewer}` } };
    const preview = await previewRoute(new Request(`${BASE}/${name}/versions/1/preview?rows=2`, auth), params);
    expect(preview.status).toBe(200);
    expect(((await preview.json()) as { rows: string[][] }).rows).toHaveLength(2);
    const download = await downloadRoute(new Request(`${BASE}/${name}/versions/1/download`, auth), params);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(IRIS)).toBe(true);
    const table = await readTable({ name });
    expect(table.rowCount).toBe(150);

    const blobs = await db().artifactBlob.count();
    const bad = await upload(form({ name, target: "label" }, { data: "a,b\n1,2\n" }));
    expect(bad.status).toBe(400);
    expect(await db().artifactBlob.count()).toBe(blobs);
    expect(await db().datasetVersion.count({ where: { dataset: { name } } })).toBe(1);
  });
});

describe("staging files", () => {
  it("are removed when an upload is accepted or refused, and stale ones from a dead upload are swept", async () => {
    const { cleanStaging, datasetStore } = await import("@/lib/datasets");
    const { utimesSync, writeFileSync, existsSync, mkdirSync } = await import("node:fs");
    const dir = datasetStore().stagingDir();
    expect(dir).toBe(join(store, ".staging"));
    const { actor } = await makeUser("editor");
    await createDatasetVersion(actor, { name: `stage-${uid()}`, stream: Readable.from(["a,b\n1,2\n"]) });
    await expect(createDatasetVersion(actor, { name: `stage-${uid()}`, stream: Readable.from(["a,b\n1\n"]) })).rejects.toThrow(/Line 2/);
    const live = () => readdirSync(dir).filter((f) => f.endsWith(".csv.part"));
    expect(live()).toEqual([]);

    mkdirSync(dir, { recursive: true });
    const stale = join(dir, "00000000-0000-4000-8000-000000000000.csv.part");
    const fresh = join(dir, "11111111-1111-4111-8111-111111111111.csv.part");
    const other = join(dir, "keep-me.txt");
    for (const f of [stale, fresh, other]) writeFileSync(f, "a,b\n");
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, old, old);
    utimesSync(other, old, old);
    expect(await cleanStaging(dir)).toBe(1);
    expect([existsSync(stale), existsSync(fresh), existsSync(other)]).toEqual([false, true, true]);
    rmSync(fresh);
    rmSync(other);
  });
});
