import type { ReactNode } from "react";
import { ApiRequestError } from "@/lib/api-client";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <div data-testid="loading" className="flex items-center gap-2 py-8 text-sm text-slate-500" aria-busy="true">
      <span className="h-3 w-3 animate-pulse rounded-full bg-slate-400" />
      {label}…
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div data-testid="empty" className="rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center dark:border-slate-700">
      <p className="font-medium">{title}</p>
      {children ? <div className="mt-2 text-sm text-slate-500">{children}</div> : null}
    </div>
  );
}

/** An API failure in words: what happened, and what the user can do about it. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const status = error instanceof ApiRequestError ? error.status : 0;
  const title =
    status === 404 ? "Not found" : status === 503 || status === 0 ? "The Kafka cluster is unreachable" : status === 400 ? "Invalid request" : "Something went wrong";
  return (
    <div role="alert" data-testid="error-state" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
      <p className="font-medium">{title}</p>
      <p className="mt-1 break-words">{error instanceof Error ? error.message : String(error)}</p>
      {onRetry ? (
        <button type="button" className="mt-2 underline" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Notice({ tone = "info", children, testId }: { tone?: "info" | "success" | "error"; children: ReactNode; testId?: string }) {
  const tones = {
    info: "border-slate-200 bg-white text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300",
    success: "border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
    error: "border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200",
  };
  return (
    <div role={tone === "error" ? "alert" : "status"} data-testid={testId} className={`rounded-md border px-3 py-2 text-sm ${tones[tone]}`}>
      {children}
    </div>
  );
}
