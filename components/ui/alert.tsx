import clsx from "clsx";
import type { ReactNode } from "react";

/** Inline message. Errors use role="alert" so screen readers and tests notice them. */
export function Alert({ tone = "error", children, className }: { tone?: "error" | "success" | "info" | "warning"; children: ReactNode; className?: string }) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={clsx(
        "rounded-md border px-3 py-2 text-sm",
        {
          "border-red-200 bg-red-50 text-red-800 dark:border-red-500/30 dark:bg-red-500/10 dark:text-red-300": tone === "error",
          "border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-500/30 dark:bg-emerald-500/10 dark:text-emerald-300": tone === "success",
          "border-sky-200 bg-sky-50 text-sky-800 dark:border-sky-500/30 dark:bg-sky-500/10 dark:text-sky-300": tone === "info",
          "border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-200": tone === "warning",
        },
        className,
      )}
    >
      {children}
    </div>
  );
}
