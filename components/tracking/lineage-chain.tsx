import Link from "next/link";
import { Fragment, type ReactNode } from "react";

export interface LineageStep {
  /** What kind of thing this is: "Dataset version", "Run", "Code version"… */
  kind: string;
  label: ReactNode;
  href?: string;
  detail?: ReactNode;
  /** Shown dimmed when the link in the chain is unknown. */
  missing?: boolean;
}

/** A left-to-right chain of provenance: dataset version → run → code version, and so on. */
export function LineageChain({ steps, label }: { steps: LineageStep[]; label: string }) {
  return (
    <ol aria-label={label} className="flex flex-wrap items-stretch gap-2" data-testid="lineage">
      {steps.map((s, i) => (
        <Fragment key={`${s.kind}-${i}`}>
          {i > 0 && (
            <li aria-hidden="true" className="flex items-center text-zinc-300 dark:text-zinc-600">
              <svg viewBox="0 0 20 20" fill="currentColor" className="size-4">
                <path fillRule="evenodd" d="M3 10a.75.75 0 0 1 .75-.75h10.638L10.23 5.29a.75.75 0 1 1 1.04-1.08l5.5 5.25a.75.75 0 0 1 0 1.08l-5.5 5.25a.75.75 0 1 1-1.04-1.08l4.158-3.96H3.75A.75.75 0 0 1 3 10Z" clipRule="evenodd" />
              </svg>
            </li>
          )}
          <li
            className={
              s.missing
                ? "min-w-36 rounded-lg border border-dashed border-zinc-300 px-3 py-2 dark:border-zinc-700"
                : "min-w-36 rounded-lg border border-zinc-200 bg-zinc-50 px-3 py-2 dark:border-zinc-700 dark:bg-zinc-800/50"
            }
          >
            <div className="text-[11px] font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{s.kind}</div>
            <div className={s.missing ? "text-sm text-zinc-400 dark:text-zinc-500" : "text-sm font-medium"}>
              {s.href ? (
                <Link href={s.href} className="link">
                  {s.label}
                </Link>
              ) : (
                s.label
              )}
            </div>
            {s.detail && <div className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">{s.detail}</div>}
          </li>
        </Fragment>
      ))}
    </ol>
  );
}
