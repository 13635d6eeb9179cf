import type { RunStatus } from "@/lib/tracking/types";
import { Badge } from "@/components/ui/badge";
import { STATUS_TONES } from "./format";

export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <Badge tone={STATUS_TONES[status] ?? "gray"} className="gap-1">
      {status === "RUNNING" && <span className="size-1.5 animate-pulse rounded-full bg-current" aria-hidden="true" />}
      {status}
    </Badge>
  );
}
