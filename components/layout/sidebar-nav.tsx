"use client";

import clsx from "clsx";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { NavIcon, type NavIconName } from "./nav-icons";

const ITEMS: { href: string; label: string; icon: NavIconName }[] = [
  { href: "/", label: "Overview", icon: "overview" },
  { href: "/experiments", label: "Experiments", icon: "experiments" },
  { href: "/models", label: "Models", icon: "models" },
  { href: "/ab-tests", label: "A/B tests", icon: "abtests" },
  { href: "/drift", label: "Drift", icon: "drift" },
  { href: "/datasets", label: "Datasets", icon: "datasets" },
  { href: "/pipelines", label: "Pipelines", icon: "pipelines" },
  { href: "/studies", label: "Studies", icon: "studies" },
  { href: "/jobs", label: "Jobs", icon: "jobs" },
  { href: "/settings", label: "Settings", icon: "settings" },
];

function isActive(pathname: string, href: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function SidebarNav() {
  const pathname = usePathname() ?? "/";
  return (
    <nav aria-label="Main" className="flex gap-1 overflow-x-auto px-3 md:flex-col md:overflow-visible">
      {ITEMS.map((item) => {
        const active = isActive(pathname, item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={clsx(
              "flex shrink-0 items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors",
              active
                ? "bg-indigo-50 text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300"
                : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/70 dark:hover:text-zinc-100",
            )}
          >
            <NavIcon
              name={item.icon}
              className={clsx("size-5 shrink-0", active ? "text-indigo-600 dark:text-indigo-400" : "text-zinc-400 dark:text-zinc-500")}
            />
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
