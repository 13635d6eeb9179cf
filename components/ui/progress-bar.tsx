import clsx from "clsx";

/** `value` is a fraction 0–1; assistive technology gets it as a percentage. `className` sets the width (default full). */
export function ProgressBar({
  value,
  label,
  tone = "indigo",
  className,
}: {
  value: number;
  label: string;
  tone?: "indigo" | "green" | "red" | "gray";
  className?: string;
}) {
  const pct = Math.round(Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)) * 100);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className={clsx("h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800", className ?? "w-full")}
    >
      <div
        className={clsx("h-full rounded-full transition-[width] duration-500", {
          "bg-indigo-500": tone === "indigo",
          "bg-emerald-500": tone === "green",
          "bg-red-500": tone === "red",
          "bg-zinc-400 dark:bg-zinc-600": tone === "gray",
        })}
        style={{ width: `${pct}%` }}
      />
    </div>
  );
}
