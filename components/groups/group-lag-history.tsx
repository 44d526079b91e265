"use client";

import { useQuery } from "@tanstack/react-query";
import { LAG_RANGES, SERIES_MAX, type LagBreakdown, type LagRange } from "@/lib/lag-history";
import { formatNumber } from "@/lib/format";
import { groupLagQuery, groupStatusQuery } from "@/lib/queries";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/field";
import { Card } from "@/components/ui/layout";
import { ErrorState, Notice } from "@/components/ui/states";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { LagStatusBadge, LagStatusLegend } from "./lag-status";

const RANGE_LABEL: Record<LagRange, string> = { "1h": "Last hour", "1d": "Last day", "1w": "Last week" };

/**
 * A group's lag over time (total, per topic, per partition) against its
 * consumption and production rates, and its status per partition, from the
 * samples the console keeps.
 */
export function GroupLagHistory({
  groupId,
  topics,
  range,
  by,
  topic,
  inTime,
  refresh,
  update,
}: {
  groupId: string;
  topics: string[];
  range: LagRange;
  by: LagBreakdown;
  topic: string;
  /** Lag drawn in seconds (estimated from the samples) rather than in records. */
  inTime: boolean;
  refresh: boolean;
  update(changes: Record<string, string | number | undefined>): void;
}) {
  const lag = useQuery(groupLagQuery(groupId, { range, by, topic: by === "partition" ? topic : "" }, refresh));
  const status = useQuery(groupStatusQuery(groupId, refresh));
  const history = lag.data;
  const unavailable = lag.error && "status" in lag.error && lag.error.status === 503;

  return (
    <section className="mb-6" data-testid="group-lag-history">
      <Card>
        <div className="mb-3 flex flex-wrap items-center gap-3">
          <h2 className="mr-auto text-sm font-semibold">Lag over time</h2>
          <div className="flex gap-1" role="group" aria-label="Range">
            {(Object.keys(LAG_RANGES) as LagRange[]).map((r) => (
              <Button key={r} onClick={() => update({ range: r === "1h" ? undefined : r })} aria-pressed={r === range} variant={r === range ? "primary" : undefined} data-testid={`lag-range-${r}`}>
                {RANGE_LABEL[r]}
              </Button>
            ))}
          </div>
          <Select value={by} onChange={(e) => update({ by: e.target.value === "total" ? undefined : e.target.value })} aria-label="Lag of" data-testid="lag-breakdown">
            <option value="total">Total</option>
            <option value="topic">Per topic</option>
            <option value="partition">Per partition</option>
          </Select>
          <Select value={inTime ? "time" : "records"} onChange={(e) => update({ lunit: e.target.value === "time" ? "time" : undefined })} aria-label="Lag in" data-testid="lag-unit">
            <option value="records">in records</option>
            <option value="time">in time (≈)</option>
          </Select>
          {by === "partition" ? (
            <Select value={topic} onChange={(e) => update({ ltopic: e.target.value || undefined })} aria-label="Topic of the partitions" data-testid="lag-breakdown-topic">
              <option value="">all topics</option>
              {topics.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          ) : null}
        </div>
        {unavailable ? (
          <Notice>This console keeps no lag history (its sampler is off), so there is no chart and no status.</Notice>
        ) : lag.error ? (
          <ErrorState error={lag.error} onRetry={() => lag.refetch()} />
        ) : !history ? (
          <div className="h-[300px]" />
        ) : history.samples === 0 ? (
          <Notice testId="lag-history-empty">No samples of this group in this range yet; the sampler records every group once per interval.</Notice>
        ) : (
          <>
            <TimeSeriesChart
              testId="lag-chart"
              times={history.times}
              leftLabel={inTime ? "lag (seconds, ≈)" : "lag (records)"}
              rightLabel="records/s"
              series={[
                ...history.series.map((s) => ({ label: `${s.label === "total" ? "lag" : s.label}${inTime ? " (s)" : ""}`, values: inTime ? s.timeLagSec : s.lag, axis: "left" as const })),
                { label: "consumed/s", values: history.consumedPerSec, axis: "right" as const, dashed: true },
                { label: "produced/s", values: history.producedPerSec, axis: "right" as const, dashed: true },
              ]}
            />
            <p className="mt-1 text-xs text-slate-500" data-testid="lag-chart-caption">
              {formatNumber(history.samples)} samples, one point per {Math.round(history.stepMs / 1000)} s.
              {inTime ? " Lag in time is estimated from the sampled end offsets (when the log end passed the committed offset), the largest over a series' partitions." : ""}
              {history.seriesLeftOut ? ` The ${SERIES_MAX} series with the most lag are drawn; ${history.seriesLeftOut} more are left out (pick a topic).` : ""}
            </p>
          </>
        )}
      </Card>
      {status.data ? (
        <Card className="mt-4">
          <div className="mb-3 flex flex-wrap items-center gap-3">
            <h2 className="text-sm font-semibold">Status</h2>
            <LagStatusBadge status={status.data.status} reason={status.data.reason} testId="group-lag-status" />
            <span className="text-sm text-slate-600 dark:text-slate-400" data-testid="group-lag-status-reason">
              {status.data.reason}
              {status.data.complete ? "" : " (still collecting samples)"}
            </span>
          </div>
          <div className="flex flex-col gap-4">
            {status.data.partitions.length ? (
              <Table testId="partition-status-table">
                <thead>
                  <tr>
                    <Th>Partition</Th>
                    <Th>Status</Th>
                    <Th>Why</Th>
                  </tr>
                </thead>
                <tbody>
                  {[...status.data.partitions]
                    .sort((a, b) => Number(b.status !== "OK") - Number(a.status !== "OK") || a.topic.localeCompare(b.topic) || a.partition - b.partition)
                    .slice(0, 50)
                    .map((p) => (
                      <Tr key={`${p.topic}/${p.partition}`} data-testid={`partition-status-${p.topic}-${p.partition}`}>
                        <Td className="whitespace-nowrap">
                          {p.topic}/{p.partition}
                        </Td>
                        <Td>
                          <LagStatusBadge status={p.status} reason={p.reason} testId="partition-lag-status" />
                        </Td>
                        <Td className="text-xs text-slate-600 dark:text-slate-400">{p.reason}</Td>
                      </Tr>
                    ))}
                </tbody>
              </Table>
            ) : (
              <p className="text-sm text-slate-500">No partition sampled with a commit yet.</p>
            )}
            <details open={status.data.status !== "OK"}>
              <summary className="cursor-pointer text-sm text-slate-600 dark:text-slate-400">What the statuses mean</summary>
              <div className="mt-2">
                <LagStatusLegend windowMs={status.data.windowMs} />
              </div>
            </details>
          </div>
        </Card>
      ) : null}
    </section>
  );
}
