"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { useHydrated } from "@/components/ui/use-hydrated";

/** Archive or restore one experiment; errors show next to the button. */
export function ArchiveExperimentButton({
  id,
  name,
  archived,
  canEdit,
  disabledReason,
  run,
}: {
  id: string;
  name: string;
  archived: boolean;
  canEdit: boolean;
  disabledReason?: string;
  run: ServerAction<{ id: string }, unknown>;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();
  const reason = !canEdit ? "Editors and admins can archive and restore experiments" : disabledReason;

  function onClick() {
    setError(null);
    startTransition(async () => {
      const res = await run({ id });
      if (!res.ok) setError(res.error);
      else router.refresh();
    });
  }

  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        onClick={onClick}
        disabled={pending || !!reason || !hydrated}
        title={reason}
        aria-label={`${archived ? "Restore" : "Archive"} experiment ${name}`}
        className="btn-secondary px-2.5 py-1 text-xs"
      >
        {pending ? (archived ? "Restoring…" : "Archiving…") : archived ? "Restore" : "Archive"}
      </button>
      {error && (
        <p role="alert" className="max-w-56 text-right text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
