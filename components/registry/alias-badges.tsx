import { Badge, type BadgeTone } from "@/components/ui/badge";

export function aliasTone(alias: string): BadgeTone {
  return alias === "champion" ? "green" : alias === "challenger" ? "amber" : "indigo";
}

/** champion first, then challenger, then the rest. */
export function aliasRank(alias: string): number {
  return alias === "champion" ? 0 : alias === "challenger" ? 1 : 2;
}

/** Aliases as badges; `versions` adds "→ vN" when the badge stands apart from its version. */
export function AliasBadges({ aliases, versions }: { aliases: string[]; versions?: Record<string, number> }) {
  if (aliases.length === 0) return null;
  return (
    <span className="inline-flex flex-wrap gap-1">
      {[...aliases].sort((a, b) => aliasRank(a) - aliasRank(b) || a.localeCompare(b)).map((a) => (
        <Badge key={a} tone={aliasTone(a)}>
          <span data-testid="alias-badge" data-alias={a}>
            {a}
            {versions?.[a] !== undefined && ` → v${versions[a]}`}
          </span>
        </Badge>
      ))}
    </span>
  );
}
