// Outline icons for the sidebar (24px grid, stroke = currentColor).
import type { ReactNode } from "react";

export type NavIconName = "overview" | "experiments" | "models" | "abtests" | "drift" | "datasets" | "pipelines" | "studies" | "jobs" | "settings";

const PATHS: Record<NavIconName, ReactNode> = {
  overview: <path d="M3 12 12 3l9 9M5 10v10h5v-6h4v6h5V10" />,
  experiments: <path d="M9 3h6M10 3v6L4.5 18.5A1.7 1.7 0 0 0 6 21h12a1.7 1.7 0 0 0 1.5-2.5L14 9V3M7 15h10" />,
  models: <path d="m12 3 8 4.5v9L12 21l-8-4.5v-9L12 3Zm0 9 8-4.5M12 12v9m0-9L4 7.5" />,
  abtests: <path d="M4 20 8 4h2l4 16M5.5 14h7M17 4v16m-3-3 3 3 3-3" />,
  drift: <path d="M3 17c3 0 3-4 6-4s3 4 6 4 3-10 6-10M3 21h18" />,
  datasets: (
    <path d="M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3Zm0 0v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3" />
  ),
  pipelines: <path d="M4 7h4v4H4zM16 13h4v4h-4zM8 9h3a2 2 0 0 1 2 2v2a2 2 0 0 0 2 2h1M6 11v6a2 2 0 0 0 2 2h10" />,
  studies: <path d="M4 20V10m5 10V4m5 16v-7m5 7V8M3 20h18" />,
  jobs: <path d="M4 6h16M4 12h10M4 18h7m7-4v4l2.5 1.5M22 18a4 4 0 1 1-8 0 4 4 0 0 1 8 0Z" />,
  settings: (
    <path d="M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.4-1.6.1-1.4-.1-1.4 2-1.6-2-3.4-2.4.9a8 8 0 0 0-2.4-1.4L14.2 3h-4.4l-.4 2.5A8 8 0 0 0 7 6.9l-2.4-.9-2 3.4 2 1.6-.1 1.4.1 1.4-2 1.6 2 3.4 2.4-.9a8 8 0 0 0 2.4 1.4l.4 2.5h4.4l.4-2.5a8 8 0 0 0 2.4-1.4l2.4.9 2-3.4-2-1.6Z" />
  ),
};

export function NavIcon({ name, className }: { name: NavIconName; className?: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.6}
      strokeLinecap="round"
      strokeLinejoin="round"
      className={className}
      aria-hidden="true"
    >
      {PATHS[name]}
    </svg>
  );
}
