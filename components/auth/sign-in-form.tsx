"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";

export function SignInForm({
  callbackUrl,
  providers,
  initialError,
}: {
  callbackUrl: string;
  providers: { id: string; name: string }[];
  initialError: string | null;
}) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const res = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (!res || res.error) {
      setError("Wrong email or password, or the account is disabled.");
      return;
    }
    window.location.assign(callbackUrl);
  }

  return (
    <div className="mt-6 space-y-4">
      <form onSubmit={onSubmit} className="space-y-4" aria-label="Sign in">
        <label className="block text-sm">
          <span className="font-medium">Email</span>
          <input name="email" type="email" required autoComplete="username" className="input mt-1" />
        </label>
        <label className="block text-sm">
          <span className="font-medium">Password</span>
          <input name="password" type="password" required autoComplete="current-password" className="input mt-1" />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
        <button type="submit" disabled={pending} className="btn-primary w-full">
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {providers.map((p) => (
        <button key={p.id} type="button" className="btn-secondary w-full" onClick={() => signIn(p.id, { callbackUrl })}>
          Continue with {p.name}
        </button>
      ))}
    </div>
  );
}
