"use client";

import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();

function subscribe(onChange: () => void) {
  listeners.add(onChange);
  window.addEventListener("storage", onChange);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("storage", onChange);
  };
}

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * The chosen columns of a table, remembered in localStorage. The server (and the first client
 * render) use the defaults, so hydration never mismatches.
 */
export function useStoredColumns(storageKey: string, defaults: string[]): [string[], (ids: string[]) => void] {
  const raw = useSyncExternalStore(subscribe, () => read(storageKey), () => null);
  const value = useMemo(() => {
    if (!raw) return defaults;
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : defaults;
    } catch {
      return defaults;
    }
  }, [raw, defaults]);
  const set = useCallback(
    (ids: string[]) => {
      try {
        localStorage.setItem(storageKey, JSON.stringify(ids));
      } catch {
        // Storage may be blocked; the choice is then lost, which is harmless.
      }
      listeners.forEach((l) => l());
    },
    [storageKey],
  );
  return [value, set];
}

export function ColumnPicker({
  columns,
  visible,
  onChange,
}: {
  columns: { id: string; entity: "params" | "metrics"; key: string }[];
  visible: string[];
  onChange: (ids: string[]) => void;
}) {
  const groups = (["params", "metrics"] as const).map((entity) => ({ entity, items: columns.filter((c) => c.entity === entity) }));
  const toggle = (id: string) => onChange(visible.includes(id) ? visible.filter((v) => v !== id) : [...visible, id]);
  const shown = columns.filter((c) => visible.includes(c.id)).length;
  const ref = useRef<HTMLDetailsElement>(null);
  // A click elsewhere or Escape closes the menu, as with any popover.
  useEffect(() => {
    const close = (e: Event) => {
      const el = ref.current;
      if (!el?.open) return;
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !el.contains(e.target as Node)) el.open = false;
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, []);

  return (
    <details ref={ref} className="relative">
      <summary className="btn-secondary cursor-pointer list-none [&::-webkit-details-marker]:hidden">
        Columns ({shown}/{columns.length})
      </summary>
      <div className="card absolute right-0 z-20 mt-1 max-h-96 w-72 overflow-y-auto p-3 shadow-lg">
        {columns.length === 0 && <p className="text-sm text-zinc-500 dark:text-zinc-400">No params or metrics logged yet.</p>}
        {groups.map(
          (g) =>
            g.items.length > 0 && (
              <fieldset key={g.entity} className="mb-3 last:mb-0">
                <legend className="mb-1 flex w-full items-center justify-between text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
                  {g.entity === "params" ? "Params" : "Metrics"}
                </legend>
                <div className="mb-1 flex gap-2 text-xs">
                  <button
                    type="button"
                    className="link"
                    onClick={() => onChange([...new Set([...visible, ...g.items.map((c) => c.id)])])}
                  >
                    all
                  </button>
                  <button type="button" className="link" onClick={() => onChange(visible.filter((v) => !v.startsWith(`${g.entity}:`)))}>
                    none
                  </button>
                </div>
                {g.items.map((c) => (
                  <label key={c.id} className="flex items-center gap-2 py-0.5 text-sm">
                    <input
                      type="checkbox"
                      checked={visible.includes(c.id)}
                      onChange={() => toggle(c.id)}
                      aria-label={`Show ${g.entity === "params" ? "param" : "metric"} ${c.key}`}
                      className="size-4 accent-indigo-600"
                    />
                    <span className="truncate font-mono text-xs" title={c.key}>
                      {c.key}
                    </span>
                  </label>
                ))}
              </fieldset>
            ),
        )}
      </div>
    </details>
  );
}
