// Table primitives with the dashboard's styling; usable from server and client components.
import clsx from "clsx";
import type { ComponentProps, ReactNode } from "react";

export function Table({ children, caption, className }: { children: ReactNode; caption?: string; className?: string }) {
  return (
    // relative: keeps sr-only (absolute) captions inside the scroll box instead of widening the page.
    <div className={clsx("card relative overflow-x-auto", className)}>
      <table className="min-w-full divide-y divide-zinc-200 text-sm dark:divide-zinc-800">
        {caption && <caption className="sr-only">{caption}</caption>}
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return (
    <thead className="bg-zinc-50/80 dark:bg-zinc-900/60">
      <tr>{children}</tr>
    </thead>
  );
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800/80">{children}</tbody>;
}

export function Th({ children, className, align }: { children?: ReactNode; className?: string; align?: "right" }) {
  return (
    <th
      scope="col"
      className={clsx(
        "whitespace-nowrap px-3 py-2.5 text-xs font-medium uppercase tracking-wide text-zinc-500 dark:text-zinc-400",
        align === "right" ? "text-right" : "text-left",
        className,
      )}
    >
      {children}
    </th>
  );
}

export function Tr({ className, ...props }: ComponentProps<"tr">) {
  return <tr className={clsx("align-top hover:bg-zinc-50/60 dark:hover:bg-zinc-800/30", className)} {...props} />;
}

export function Td({ className, align, ...props }: ComponentProps<"td"> & { align?: "right" }) {
  return <td className={clsx("px-3 py-3", align === "right" && "text-right tabular-nums", className)} {...props} />;
}
