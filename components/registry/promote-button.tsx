"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState, useTransition, type FormEvent, type ReactNode } from "react";
import type { ServerAction } from "@/components/ui/action-result";
import { Alert } from "@/components/ui/alert";
import { useHydrated } from "@/components/ui/use-hydrated";

type PromotionResult = { alias: string; fromVersion: number | null; toVersion: number; changed: boolean };

export const CANNOT_PROMOTE = "Editors and admins can promote";

function resultMessage(r: PromotionResult): string {
  if (!r.changed) return `${r.alias} already pointed at version ${r.toVersion}; nothing changed.`;
  return r.fromVersion === null
    ? `${r.alias} now points at version ${r.toVersion}.`
    : `${r.alias} moved from version ${r.fromVersion} to version ${r.toVersion}.`;
}

/**
 * A button that opens a modal confirm dialog (native <dialog>: focus is trapped, Escape closes)
 * asking for a reason, then runs the server action and refreshes the page.
 */
function AliasChangeDialogButton({
  buttonLabel,
  buttonAriaLabel,
  buttonClassName,
  title,
  intro,
  submitLabel,
  aliasField,
  canEdit,
  onSubmit,
}: {
  buttonLabel: string;
  buttonAriaLabel: string;
  buttonClassName: string;
  title: string;
  intro: (alias: string) => ReactNode;
  submitLabel: string;
  /** Editable alias with suggestions, or a fixed alias. */
  aliasField: { editable: true; initial: string; suggestions: string[] } | { editable: false; value: string };
  canEdit: boolean;
  onSubmit: (input: { alias: string; reason: string }) => Promise<{ ok: true; data: PromotionResult } | { ok: false; error: string }>;
}) {
  const ids = useId();
  const router = useRouter();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [alias, setAlias] = useState(aliasField.editable ? aliasField.initial : aliasField.value);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const hydrated = useHydrated();

  function open() {
    setError(null);
    setDone(null);
    setReason("");
    setAlias(aliasField.editable ? aliasField.initial : aliasField.value);
    dialogRef.current?.showModal();
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    startTransition(async () => {
      const res = await onSubmit({ alias: alias.trim(), reason: reason.trim() });
      if (!res.ok) {
        setError(res.error);
        return;
      }
      dialogRef.current?.close();
      setDone(resultMessage(res.data));
      router.refresh();
    });
  }

  return (
    <div className="inline-flex flex-col items-end gap-1">
      <button
        type="button"
        onClick={open}
        disabled={!canEdit || !hydrated}
        title={canEdit ? undefined : CANNOT_PROMOTE}
        aria-label={buttonAriaLabel}
        className={buttonClassName}
      >
        {buttonLabel}
      </button>
      {done && (
        <p role="status" className="max-w-64 text-right text-xs text-emerald-700 dark:text-emerald-400">
          {done}
        </p>
      )}
      <dialog
        ref={dialogRef}
        aria-labelledby={`${ids}-title`}
        className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-xl border border-zinc-200 bg-white p-0 text-left text-zinc-900 shadow-xl backdrop:bg-zinc-950/50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <form onSubmit={submit} className="space-y-4 p-6">
          <h2 id={`${ids}-title`} className="text-lg font-semibold">
            {title}
          </h2>
          <div className="text-sm text-zinc-600 dark:text-zinc-300">{intro(alias.trim())}</div>
          {aliasField.editable && (
            <div className="text-sm">
              <label htmlFor={`${ids}-alias`} className="block font-medium">
                Alias
              </label>
              <input
                id={`${ids}-alias`}
                value={alias}
                onChange={(e) => setAlias(e.target.value)}
                list={`${ids}-aliases`}
                required
                maxLength={255}
                pattern="[A-Za-z0-9_\-]+"
                title="Letters, digits, '_' and '-'"
                autoComplete="off"
                className="input mt-1 font-mono"
              />
              <datalist id={`${ids}-aliases`}>
                {aliasField.suggestions.map((a) => (
                  <option key={a} value={a} />
                ))}
              </datalist>
            </div>
          )}
          <div className="text-sm">
            <label htmlFor={`${ids}-reason`} className="block font-medium">
              Reason
            </label>
            <textarea
              id={`${ids}-reason`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
              maxLength={2000}
              rows={3}
              placeholder="e.g. +2.1% AUC on the holdout set, same latency"
              className="input mt-1"
            />
            <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">Recorded in the audit log with your name, the previous and the new version.</p>
          </div>
          {error && <Alert>{error}</Alert>}
          <div className="flex justify-end gap-2 pt-2">
            <button type="button" className="btn-secondary" onClick={() => dialogRef.current?.close()} disabled={pending}>
              Cancel
            </button>
            <button type="submit" className="btn-primary" disabled={pending}>
              {pending ? "Saving…" : submitLabel}
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}

export function PromoteButton({
  modelName,
  version,
  aliases,
  canPromote,
  promote,
}: {
  modelName: string;
  version: number;
  /** alias → version it names now. */
  aliases: Record<string, number>;
  canPromote: boolean;
  promote: ServerAction<{ name: string; version: number; alias: string; reason: string }, PromotionResult>;
}) {
  const suggestions = [...new Set(["champion", "challenger", ...Object.keys(aliases)])];
  return (
    <AliasChangeDialogButton
      buttonLabel="Promote"
      buttonAriaLabel={`Promote version ${version}`}
      buttonClassName="btn-secondary px-2.5 py-1 text-xs"
      title={`Promote version ${version} of ${modelName}`}
      intro={(alias) => {
        const current = aliases[alias];
        return current === undefined ? (
          <>
            The alias <strong>{alias || "…"}</strong> is new: it will point at version {version}.
          </>
        ) : current === version ? (
          <>
            <strong>{alias}</strong> already points at version {version}.
          </>
        ) : (
          <>
            <strong>{alias}</strong> moves from version {current} to version {version}. Serving switches at once; requests in flight finish on
            version {current}.
          </>
        );
      }}
      submitLabel="Promote"
      aliasField={{ editable: true, initial: "champion", suggestions }}
      canEdit={canPromote}
      onSubmit={({ alias, reason }) => promote({ name: modelName, version, alias, reason })}
    />
  );
}

export function RollbackButton({
  modelName,
  alias,
  currentVersion,
  previousVersion,
  canPromote,
  rollback,
}: {
  modelName: string;
  alias: string;
  currentVersion: number;
  previousVersion: number;
  canPromote: boolean;
  rollback: ServerAction<{ name: string; alias: string; reason: string }, PromotionResult>;
}) {
  return (
    <AliasChangeDialogButton
      buttonLabel={`Roll back to v${previousVersion}`}
      buttonAriaLabel={`Roll back ${alias} to version ${previousVersion}`}
      buttonClassName="btn-secondary whitespace-nowrap px-2.5 py-1 text-xs"
      title={`Roll back ${alias} of ${modelName}`}
      intro={() => (
        <>
          <strong>{alias}</strong> moves back from version {currentVersion} to version {previousVersion}, the version it named before its
          latest promotion.
        </>
      )}
      submitLabel="Roll back"
      aliasField={{ editable: false, value: alias }}
      canEdit={canPromote}
      onSubmit={({ reason }) => rollback({ name: modelName, alias, reason })}
    />
  );
}
