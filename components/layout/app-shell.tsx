"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { paths } from "@/lib/paths";
import { ClusterBanner } from "./cluster-banner";
import { ThemeToggle } from "./theme-toggle";

const NAV = [
  { href: paths.overview(), label: "Overview", match: (p: string) => p === "/" },
  { href: paths.brokers(), label: "Brokers", match: (p: string) => p.startsWith("/brokers") },
  { href: paths.topics(), label: "Topics", match: (p: string) => p.startsWith("/topics") },
  { href: paths.groups(), label: "Consumer groups", match: (p: string) => p.startsWith("/groups") },
];

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? "/";
  return (
    <div className="flex min-h-screen">
      <aside className="w-48 shrink-0 border-r border-slate-200 bg-white px-3 py-4 dark:border-slate-800 dark:bg-slate-900">
        <Link href="/" className="mb-6 block px-2 text-lg font-semibold tracking-tight">
          Sluice
        </Link>
        <nav className="flex flex-col gap-1" data-testid="nav">
          {NAV.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              className={`rounded-md px-2 py-1.5 text-sm ${
                item.match(pathname)
                  ? "bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900"
                  : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
              }`}
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="mt-8 px-2">
          <ThemeToggle />
        </div>
      </aside>
      <div className="min-w-0 flex-1">
        <ClusterBanner />
        <main className="mx-auto max-w-7xl px-6 py-6">{children}</main>
      </div>
    </div>
  );
}
