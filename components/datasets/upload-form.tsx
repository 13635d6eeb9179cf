"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";

/** Uploads a CSV through the REST API (multipart, streamed on the server) and opens the dataset. */
export function DatasetUploadForm({ names }: { names: string[] }) {
  const router = useRouter();
  const ids = { file: useId(), name: useId(), target: useId(), description: useId() };
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function onFile(files: FileList | null) {
    const f = files?.[0];
    // Suggest a name from the file (iris.csv → iris) unless one was typed.
    if (f && !name) setName(f.name.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 128));
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    const data = new FormData(e.currentTarget);
    for (const k of ["target", "description"]) if (!String(data.get(k) ?? "").trim()) data.delete(k);
    const file = data.get("file");
    if (!(file instanceof File) || file.size === 0) {
      setError("Choose a CSV file to upload.");
      return;
    }
    setBusy(true);
    try {
      const res = await fetch("/api/v1/datasets", { method: "POST", body: data });
      const body = (await res.json().catch(() => null)) as { error?: { message?: string }; dataset?: { name: string }; version?: { version: number }; created?: boolean } | null;
      if (!res.ok || !body?.dataset || !body.version) {
        setError(body?.error?.message ?? `The upload failed (HTTP ${res.status})`);
        return;
      }
      const note = body.created ? "created" : "existing";
      router.push(`/datasets/${encodeURIComponent(body.dataset.name)}?version=${body.version.version}&uploaded=${note}`);
    } catch (err) {
      setError(`The upload failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="card space-y-4 p-4" aria-label="Upload a dataset">
      <h2 className="text-base font-semibold">Upload a CSV</h2>
      <div className="grid gap-4 md:grid-cols-2">
        <Field id={ids.file} label="CSV file">
          <input id={ids.file} name="file" type="file" accept=".csv,.tsv,.txt,text/csv" required className="input" onChange={(e) => onFile(e.target.files)} />
        </Field>
        <Field id={ids.name} label="Dataset name">
          <input id={ids.name} name="name" required maxLength={128} list={`${ids.name}-list`} value={name} onChange={(e) => setName(e.target.value)} className="input" placeholder="e.g. churn" />
          <datalist id={`${ids.name}-list`}>
            {names.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </Field>
        <Field id={ids.target} label="Target column (optional)">
          <input id={ids.target} name="target" maxLength={256} className="input" placeholder="the label to predict" />
        </Field>
        <Field id={ids.description} label="Description (optional)">
          <input id={ids.description} name="description" maxLength={2000} className="input" />
        </Field>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        The same name with changed data adds a version; identical bytes are recognised and not stored twice. Column types are inferred
        and can be changed on the dataset page.
      </p>
      {error && <Alert>{error}</Alert>}
      <button type="submit" className="btn-primary" disabled={busy}>
        {busy ? "Uploading and profiling…" : "Upload"}
      </button>
    </form>
  );
}
