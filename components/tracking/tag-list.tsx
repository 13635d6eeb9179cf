import { Badge } from "@/components/ui/badge";

/** Tags as key=value badges; MLflow's own bookkeeping tags (mlflow.*) are left out. */
export function TagList({ tags, empty = "–" }: { tags: Record<string, string>; empty?: string }) {
  const entries = Object.entries(tags).filter(([k]) => !k.startsWith("mlflow."));
  if (entries.length === 0) return <span className="text-zinc-400 dark:text-zinc-500">{empty}</span>;
  return (
    <div className="flex flex-wrap gap-1">
      {entries.map(([k, v]) => (
        <Badge key={k} tone="gray" title={`${k}=${v}`} className="max-w-60 truncate">
          {k}={v}
        </Badge>
      ))}
    </div>
  );
}
