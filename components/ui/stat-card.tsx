import Link from "next/link";
import { formatCount } from "./format";

export function StatCard({ label, value, href, hint }: { label: string; value: number; href: string; hint?: string }) {
  return (
    <Link
      href={href}
      className="card group block p-4 transition hover:border-indigo-300 hover:shadow-md dark:hover:border-indigo-500/50"
    >
      <div className="text-sm text-zinc-500 group-hover:text-indigo-600 dark:text-zinc-400 dark:group-hover:text-indigo-400">{label}</div>
      <div className="mt-1 text-3xl font-semibold tabular-nums" data-testid={`stat-${label.toLowerCase().replace(/\W+/g, "-")}`}>
        {formatCount(value)}
      </div>
      {hint && <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{hint}</div>}
    </Link>
  );
}
