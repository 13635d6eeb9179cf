"use client";

import { useSyncExternalStore } from "react";
import { formatDateTime } from "./format";

const noop = () => () => undefined;

/**
 * A timestamp in the viewer's time zone. The server does not know that zone, so server HTML and
 * hydration show UTC, and the client switches to local time right after: no hydration mismatch.
 */
export function LocalTime({ value, empty = "–", seconds }: { value: string | null | undefined; empty?: string; seconds?: boolean }) {
  const onClient = useSyncExternalStore(noop, () => true, () => false);
  if (!value) return <span className="text-zinc-400 dark:text-zinc-500">{empty}</span>;
  return (
    <time dateTime={value} title={value} className="whitespace-nowrap tabular-nums">
      {formatDateTime(value, { utc: !onClient, seconds })}
    </time>
  );
}
