"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import { can, type Action } from "@/lib/permissions";
import { paths } from "@/lib/paths";
import { useSession } from "./access";
import { ClusterBanner } from "./cluster-banner";
import { ThemeToggle } from "./theme-toggle";

const NAV: Array<{ href: string; label: string; action: Action; match: (p: string) => boolean }> = [
  { href: paths.overview(), label: "Overview", action: "cluster:view", match: (p: string) => p === "/" },
  { href: paths.brokers(), label: "Brokers", action: "cluster:view", match: (p: string) => p.startsWith("/brokers") },
  { href: paths.topics(), label: "Topics", action: "topics:view", match: (p: string) => p.startsWith("/topics") },
  { href: paths.groups(), label: "Consumer groups", action: "groups:view", match: (p: string) => p.startsWith("/groups") },
  { href: paths.audit(), label: "Audit log", action: "audit:view", match: (p: string) => p.startsWith("/audit") },
];

/** The logged-in user with a logout button (only when the console has users). */
function UserBox() {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  if (!session?.authEnabled || !session.user) return null;
  const logout = async () => {
    setBusy(true);
    await fetch("/api/auth/logout", { method: "POST" }).catch(() => null);
    window.location.assign("/login");
  };
  return (
    <div className="mt-8 space-y-1 px-2 text-sm" data-testid="user-box">
      <p className="font-medium" data-testid="current-user">
        {session.user}
      </p>
      <p className="text-xs text-slate-500" data-testid="current-roles">
        {session.roles.length ? session.roles.join(", ") : "no role"}
      </p>
      <button type="button" onClick={logout} disabled={busy} className="text-xs underline" data-testid="logout">
        Log out
      </button>
    </div>
  );
}

/** Says, on every page, that nothing can be changed here and why. */
function ReadOnlyBanner() {
  const session = useSession();
  if (!session?.access.readOnly) return null;
  return (
    <div data-testid="read-only-banner" className="border-b border-amber-300 bg-amber-50 px-6 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200">
      <strong>Read-only.</strong> Nothing can be changed from this console: {session.access.readOnly}.
    </div>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? "/";
  const session = useSession();
  // The login page (also shown in place of any page until one logs in) stands alone: no navigation to pages that would send it back here.
  if (pathname === "/login" || (session?.authEnabled && !session.user)) return <main className="mx-auto max-w-sm px-6 py-16">{children}</main>;
  const nav = NAV.filter((item) => !session || can(session.access, item.action));
  return (
    <div className="flex min-h-screen">
      <aside className="w-48 shrink-0 border-r border-slate-200 bg-white px-3 py-4 dark:border-slate-800 dark:bg-slate-900">
        <Link href="/" className="mb-6 block px-2 text-lg font-semibold tracking-tight">
          Sluice
        </Link>
        <nav className="flex flex-col gap-1" data-testid="nav">
          {nav.map((item) => (
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
        <UserBox />
      </aside>
      <div className="min-w-0 flex-1">
        <ReadOnlyBanner />
        <ClusterBanner />
        <main className="mx-auto max-w-7xl px-6 py-6">{children}</main>
      </div>
    </div>
  );
}
