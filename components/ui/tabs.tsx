import Link from "next/link";

/** Tabs as links, so the selected tab lives in the URL. */
export function Tabs({ tabs, active }: { tabs: Array<{ id: string; label: string; href: string }>; active: string }) {
  return (
    <nav className="mb-4 flex gap-1 border-b border-slate-200 dark:border-slate-800" data-testid="tabs">
      {tabs.map((tab) => (
        <Link
          key={tab.id}
          href={tab.href}
          data-testid={`tab-${tab.id}`}
          aria-current={tab.id === active ? "page" : undefined}
          className={`-mb-px border-b-2 px-3 py-2 text-sm ${
            tab.id === active ? "border-slate-900 font-medium dark:border-slate-100" : "border-transparent text-slate-500 hover:text-slate-800 dark:hover:text-slate-200"
          }`}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
