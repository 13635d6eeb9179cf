import type { Metadata } from "next";
import Link from "next/link";
import { can, requirePageActor } from "@/app/_server/actor";
import { RoleBadge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { LocalTime } from "@/components/ui/time";
import { RetentionForm } from "@/components/settings/retention-form";
import { getUser } from "@/lib/auth";
import { getPredictionRetention } from "@/lib/jobs";
import { setPredictionRetentionAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };

const ROLE_HELP: { role: string; text: string }[] = [
  { role: "viewer", text: "sees everything: experiments, models, tests, drift, jobs." },
  { role: "editor", text: "also trains, registers, promotes, runs A/B tests and cancels jobs." },
  { role: "admin", text: "also manages users, API keys and maintenance." },
];

export default async function SettingsPage() {
  const actor = await requirePageActor();
  const user = actor.userId ? await getUser(actor.userId) : null;
  const admin = can(actor, "admin");
  const retention = await getPredictionRetention();

  return (
    <>
      <PageHeader title="Settings" description="Your account, and the workspace's users, API keys and prediction log retention." />
      <div className="grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="profile" className="card p-6">
          <h2 id="profile" className="text-base font-semibold">Your profile</h2>
          <dl className="mt-4 grid grid-cols-[8rem_1fr] gap-y-3 text-sm">
            <dt className="text-zinc-500 dark:text-zinc-400">Email</dt>
            <dd className="font-medium break-all">{user?.email ?? actor.label}</dd>
            {user?.name && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Name</dt>
                <dd>{user.name}</dd>
              </>
            )}
            <dt className="text-zinc-500 dark:text-zinc-400">Role</dt>
            <dd><RoleBadge role={actor.role} /></dd>
            {user && (
              <>
                <dt className="text-zinc-500 dark:text-zinc-400">Member since</dt>
                <dd><LocalTime value={user.createdAt} /></dd>
                <dt className="text-zinc-500 dark:text-zinc-400">Last sign-in</dt>
                <dd><LocalTime value={user.lastLoginAt} empty="never" /></dd>
              </>
            )}
          </dl>
          <ul className="mt-6 space-y-1 border-t border-zinc-200 pt-4 text-sm text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
            {ROLE_HELP.map((r) => (
              <li key={r.role}>
                <span className="font-medium text-zinc-800 dark:text-zinc-200">{r.role}</span> {r.text}
              </li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="admin" className="card p-6">
          <h2 id="admin" className="text-base font-semibold">Administration</h2>
          {!admin && (
            <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
              Only admins can manage users and API keys. Ask an admin if you need a different role or a key.
            </p>
          )}
          <ul className="mt-4 divide-y divide-zinc-200 dark:divide-zinc-800">
            <li className="py-3">
              <Link href="/settings/users" className="link">Users</Link>
              <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">Invite people, change roles, disable accounts.</p>
            </li>
            <li className="py-3">
              <Link href="/settings/api-keys" className="link">API keys</Link>
              <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">
                Keys for scripts, CI, the MLflow client and the predict API.
              </p>
            </li>
          </ul>
        </section>

        <section aria-labelledby="retention" className="card p-6">
          <h2 id="retention" className="text-base font-semibold">Prediction log retention</h2>
          <RetentionForm initial={{ days: retention.days, source: retention.source }} editable={admin} save={setPredictionRetentionAction} />
        </section>
      </div>
    </>
  );
}
