export default function Loading() {
  return (
    <div role="status" aria-label="Loading" className="animate-pulse space-y-6">
      <div className="space-y-2">
        <div className="h-7 w-48 rounded bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-4 w-96 max-w-full rounded bg-zinc-200 dark:bg-zinc-800" />
      </div>
      <div className="card space-y-3 p-4">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-5 rounded bg-zinc-100 dark:bg-zinc-800" />
        ))}
      </div>
      <span className="sr-only">Loading…</span>
    </div>
  );
}
