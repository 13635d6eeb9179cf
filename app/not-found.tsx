import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card w-full max-w-md p-8 text-center">
        <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
        <h1 className="mt-2 text-xl font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">The page you asked for does not exist or was moved.</p>
        <Link href="/" className="btn-primary mt-6">
          Back to the overview
        </Link>
      </div>
    </main>
  );
}
