import { LAG_STATUS_MEANING, LAG_STATUSES, type LagStatus } from "@/lib/lag-status";
import { Badge } from "@/components/ui/layout";

const TONES: Record<LagStatus, "good" | "warn" | "bad"> = { OK: "good", WARNING: "warn", STALLED: "bad", STOPPED: "bad", REWIND: "warn" };

/** A lag status, coloured, with what it means and why it was given in its tooltip. */
export function LagStatusBadge({ status, reason, testId = "lag-status" }: { status: LagStatus | null; reason?: string | null; testId?: string }) {
  if (status === null)
    return (
      <span data-testid={testId} title="Not judged yet: the sampler has not recorded this group's offsets over a window" className="text-slate-400">
        –
      </span>
    );
  return (
    <span data-testid={testId} data-status={status} title={`${status}: ${LAG_STATUS_MEANING[status]}${reason ? `\nWhy: ${reason}` : ""}`}>
      <Badge tone={TONES[status]}>{status}</Badge>
    </span>
  );
}

/** What each status means, judged as Burrow judges a window of commits. */
export function LagStatusLegend({ windowMs }: { windowMs?: number }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] items-baseline gap-x-3 gap-y-1 text-xs text-slate-600 dark:text-slate-400" data-testid="lag-status-legend">
      {LAG_STATUSES.map((s) => (
        <div key={s} className="contents">
          <dt>
            <LagStatusBadge status={s} testId={`legend-${s}`} />
          </dt>
          <dd>{LAG_STATUS_MEANING[s]}</dd>
        </div>
      ))}
      {windowMs ? <dd className="col-span-2 mt-1 text-slate-500">The window is the last {Math.round(windowMs / 1000)} s of samples (10 sampling intervals).</dd> : null}
    </dl>
  );
}
