import Link from "next/link";

/** A missing experiment, run or model inside the dashboard keeps the navigation around it. */
export default function DashboardNotFound() {
  return (
    <div className="card mx-auto mt-8 max-w-md p-8 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
      <h1 className="mt-2 text-xl font-semibold">Not found</h1>
      <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
        There is nothing at this address: the id or name may be wrong, or it was deleted.
      </p>
      <Link href="/" className="btn-primary mt-6">
        Back to the overview
      </Link>
    </div>
  );
}
