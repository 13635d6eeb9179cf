"use client";

import { useId, useRef, useState, useTransition, type FormEvent } from "react";
import type { Role } from "@/lib/auth";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";

export function CreateUserForm({
  roles,
  createUser,
}: {
  roles: readonly Role[];
  createUser: ServerAction<{ email: string; password: string; role: Role; name?: string }, { id: string; email: string }>;
}) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<{ tone: "error" | "success"; text: string } | null>(null);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const input = {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      role: String(form.get("role") ?? "viewer") as Role,
      ...(name ? { name } : {}),
    };
    setResult(null);
    startTransition(async () => {
      const res = await createUser(input);
      if (res.ok) {
        formRef.current?.reset();
        setResult({ tone: "success", text: `Created ${res.data.email}. Give them the password through a safe channel.` });
      } else {
        setResult({ tone: "error", text: res.error });
      }
    });
  }

  return (
    <section aria-labelledby="create-user" className="card p-6">
      <h2 id="create-user" className="text-base font-semibold">Add a user</h2>
      <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">They sign in with this email and password.</p>
      <form ref={formRef} onSubmit={onSubmit} aria-label="Create user" className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field id={`${id}-email`} label="Email">
          <input id={`${id}-email`} name="email" type="email" required autoComplete="off" className="input" />
        </Field>
        <Field id={`${id}-password`} label="Password">
          <input id={`${id}-password`} name="password" type="password" required minLength={8} autoComplete="new-password" className="input" />
        </Field>
        <Field id={`${id}-name`} label="Name (optional)">
          <input id={`${id}-name`} name="name" type="text" maxLength={200} autoComplete="off" className="input" />
        </Field>
        <Field id={`${id}-role`} label="Role">
          <select id={`${id}-role`} name="role" defaultValue="viewer" className="input">
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <div className="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-4">
          <button type="submit" disabled={pending} className="btn-primary">
            {pending ? "Creating…" : "Create user"}
          </button>
          {result && <Alert tone={result.tone} className="flex-1">{result.text}</Alert>}
        </div>
      </form>
    </section>
  );
}
