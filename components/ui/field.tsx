import clsx from "clsx";
import type { ReactNode } from "react";

/**
 * A label above its control, linked by id rather than by nesting: a control nested in its label
 * (a select above all) would add its current value to its accessible name.
 */
export function Field({ id, label, children, className }: { id: string; label: string; children: ReactNode; className?: string }) {
  return (
    <div className={clsx("text-sm", className)}>
      <label htmlFor={id} className="block font-medium">
        {label}
      </label>
      <div className="mt-1">{children}</div>
    </div>
  );
}
