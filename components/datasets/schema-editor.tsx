"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { COLUMN_TYPES, type ColumnSchema, type ColumnType } from "@/lib/datasets/types";

/**
 * The schema of a version: inferred and used type per column. Editors change types here; the
 * server re-checks every value of the stored file and recomputes profile and validation report.
 */
export function SchemaEditor({
  dataset,
  version,
  schema,
  target,
  canEdit,
}: {
  dataset: string;
  version: number;
  schema: ColumnSchema[];
  target: string | null;
  canEdit: boolean;
}) {
  const router = useRouter();
  const [types, setTypes] = useState<Record<string, ColumnType>>(() => Object.fromEntries(schema.map((c) => [c.name, c.type])));
  const [label, setLabel] = useState<string>(target ?? "");
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = schema.some((c) => types[c.name] !== c.type) || (label || null) !== target;

  async function save() {
    setBusy(true);
    setMessage(null);
    // Overrides are the columns whose type differs from the inferred one.
    const overrides = Object.fromEntries(schema.filter((c) => types[c.name] !== c.inferredType).map((c) => [c.name, types[c.name]]));
    try {
      const res = await fetch(`/api/v1/datasets/${encodeURIComponent(dataset)}/versions/${version}/schema`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ schema: overrides, target: label || null }),
      });
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      if (!res.ok) {
        setMessage({ tone: "error", text: body?.error?.message ?? `Saving failed (HTTP ${res.status})` });
        return;
      }
      setMessage({ tone: "success", text: "Schema saved; profile and validation report were recomputed." });
      router.refresh();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3">
      <Table caption="Schema">
        <THead>
          <Th>Column</Th>
          <Th>Type</Th>
          <Th>Inferred</Th>
          <Th>Missing values</Th>
        </THead>
        <TBody>
          {schema.map((c) => (
            <Tr key={c.name} data-testid="schema-row">
              <Td className="font-medium">
                {c.name} {c.name === target && <Badge tone="indigo">target</Badge>}
              </Td>
              <Td>
                {canEdit ? (
                  <select
                    aria-label={`Type of ${c.name}`}
                    className="input w-40 py-1"
                    value={types[c.name]}
                    onChange={(e) => setTypes((t) => ({ ...t, [c.name]: e.target.value as ColumnType }))}
                  >
                    {COLUMN_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                ) : (
                  c.type
                )}
                {c.type !== c.inferredType && <span className="ml-2 text-xs text-amber-700 dark:text-amber-300">overridden</span>}
              </Td>
              <Td className="text-zinc-500 dark:text-zinc-400">{c.inferredType}</Td>
              <Td>{c.nullable ? "yes" : "no"}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {canEdit && (
        <div className="flex flex-wrap items-end gap-3">
          <label className="text-sm">
            <span className="block font-medium">Target column</span>
            <select aria-label="Target column" className="input mt-1 w-56 py-1" value={label} onChange={(e) => setLabel(e.target.value)}>
              <option value="">(none)</option>
              {schema.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn-primary" disabled={!dirty || busy} onClick={save}>
            {busy ? "Checking every value…" : "Save schema"}
          </button>
        </div>
      )}
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
    </div>
  );
}
