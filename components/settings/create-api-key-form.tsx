"use client";

import { useId, useRef, useState, useTransition, type FormEvent } from "react";
import type { Role } from "@/lib/auth";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { CopyButton } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";

type Created = { key: string; id: string; name: string; role: Role };

export function CreateApiKeyForm({
  roles,
  createKey,
}: {
  roles: readonly Role[];
  createKey: ServerAction<{ name: string; role: Role }, Created>;
}) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  // Held in memory only: once dismissed or the page is left, the key is gone for good.
  const [created, setCreated] = useState<Created | null>(null);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = { name: String(form.get("name") ?? ""), role: String(form.get("role") ?? "viewer") as Role };
    setError(null);
    setCreated(null);
    startTransition(async () => {
      const res = await createKey(input);
      if (res.ok) {
        formRef.current?.reset();
        setCreated(res.data);
      } else {
        setError(res.error);
      }
    });
  }

  return (
    <section aria-labelledby="create-key" className="card p-6">
      <h2 id="create-key" className="text-base font-semibold">Create an API key</h2>
      <form ref={formRef} onSubmit={onSubmit} aria-label="Create API key" className="mt-4 flex flex-wrap items-end gap-4">
        <Field id={`${id}-name`} label="Name" className="min-w-56 flex-1">
          <input id={`${id}-name`} name="name" type="text" required maxLength={100} placeholder="e.g. ci-pipeline" autoComplete="off" className="input" />
        </Field>
        <Field id={`${id}-role`} label="Role">
          <select id={`${id}-role`} name="role" defaultValue="viewer" className="input w-32">
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={pending} className="btn-primary">
          {pending ? "Creating…" : "Create key"}
        </button>
      </form>
      {error && <Alert className="mt-4">{error}</Alert>}
      {created && (
        <div
          data-testid="new-api-key"
          className="mt-5 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-500/40 dark:bg-amber-500/10"
        >
          <p className="text-sm font-semibold text-amber-900 dark:text-amber-200">
            New key “{created.name}” ({created.role}). Copy it now: it is not shown again.
          </p>
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <input
              readOnly
              value={created.key}
              aria-label="New API key"
              onFocus={(e) => e.currentTarget.select()}
              className="input min-w-0 flex-1 font-mono text-xs"
            />
            <CopyButton text={created.key} />
          </div>
          <button type="button" onClick={() => setCreated(null)} className="link mt-3 text-sm">
            I have copied it
          </button>
        </div>
      )}
    </section>
  );
}
