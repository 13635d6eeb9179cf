import Link from "next/link";
import type { ReactNode } from "react";
import { requirePageActor } from "@/app/_server/actor";
import { SidebarNav } from "@/components/layout/sidebar-nav";
import { SignOutButton } from "@/components/layout/sign-out-button";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { RoleBadge } from "@/components/ui/badge";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor();
  return (
    <div className="min-h-screen md:flex">
      <aside className="flex flex-col border-b border-zinc-200 bg-white md:fixed md:inset-y-0 md:w-60 md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex h-14 items-center px-6">
          <Link href="/" className="flex items-center gap-2 text-base font-semibold tracking-tight">
            <span className="flex size-7 items-center justify-center rounded-md bg-indigo-600 text-xs font-bold text-white" aria-hidden="true">
              ML
            </span>
            MLOps
          </Link>
        </div>
        <div className="pb-3 md:flex-1 md:overflow-y-auto md:pt-2">
          <SidebarNav />
        </div>
        <div className="flex items-center gap-2 border-t border-zinc-200 p-3 md:block dark:border-zinc-800">
          <div className="min-w-0 flex-1 px-3 md:pt-1" data-testid="current-user">
            <div className="truncate text-sm font-medium" title={actor.label}>
              {actor.label}
            </div>
            <div className="mt-1">
              <RoleBadge role={actor.role} />
            </div>
          </div>
          <div className="flex items-center justify-between gap-1 md:mt-2">
            <SignOutButton />
            <ThemeToggle />
          </div>
        </div>
      </aside>
      <div className="min-w-0 flex-1 md:pl-60">
        <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 md:px-8 md:py-8">{children}</main>
      </div>
    </div>
  );
}
