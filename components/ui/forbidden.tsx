import type { ReactNode } from "react";

/** Shown by a server-rendered page when the signed-in user lacks the role for it. */
export function Forbidden({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div role="alert" className="card border-amber-200 bg-amber-50/60 px-6 py-8 dark:border-amber-500/30 dark:bg-amber-500/5">
      <h2 className="text-base font-semibold text-amber-900 dark:text-amber-200">{title}</h2>
      {children && <div className="mt-2 text-sm text-amber-900/80 dark:text-amber-200/80">{children}</div>}
    </div>
  );
}
