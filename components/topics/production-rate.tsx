"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { LAG_RANGES, type LagRange, type TopicTrends } from "@/lib/lag-history";
import { topicRateQuery, topicTrendsQuery } from "@/lib/queries";
import { Sparkline, TimeSeriesChart } from "@/components/charts/time-series-chart";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/layout";
import { Notice } from "@/components/ui/states";

const RANGE_LABEL: Record<LagRange, string> = { "1h": "Last hour", "1d": "Last day", "1w": "Last week" };

/** A topic's production rate over time (records/s over all partitions), from the sampled end offsets. */
export function ProductionRate({ topic }: { topic: string }) {
  const [range, setRange] = useState<LagRange>("1h");
  const { data, error } = useQuery(topicRateQuery(topic, range));
  if (error && "status" in error && error.status === 503) return null; // no history kept on this console
  return (
    <Card className="mb-4">
      <div className="mb-2 flex flex-wrap items-center gap-2" data-testid="production-rate">
        <h2 className="mr-auto text-sm font-semibold">Production rate</h2>
        {(Object.keys(LAG_RANGES) as LagRange[]).map((r) => (
          <Button key={r} onClick={() => setRange(r)} aria-pressed={r === range} variant={r === range ? "primary" : undefined} data-testid={`rate-range-${r}`}>
            {RANGE_LABEL[r]}
          </Button>
        ))}
      </div>
      {!data ? (
        <div className="h-[220px]" />
      ) : data.samples === 0 ? (
        <Notice>No samples of this topic in this range yet.</Notice>
      ) : (
        <TimeSeriesChart testId="rate-chart" height={200} times={data.times} leftLabel="records/s" series={[{ label: "produced/s", values: data.producedPerSec, axis: "left" }]} />
      )}
    </Card>
  );
}

/** The last hour's production rate of each topic shown on a page of the list, in one request. */
export function useTopicTrends(topics: string[]): TopicTrends["trends"] | null {
  const { data } = useQuery(topicTrendsQuery(topics));
  return data && Object.keys(data.trends).length ? data.trends : null;
}

/** Beside a topic in the list: a sparkline of the last hour and the latest rate. */
export function TopicTrend({ of }: { of: TopicTrends["trends"][string] | undefined }) {
  const latest = of?.ratePerSec ?? null;
  return (
    <span className="inline-flex items-center gap-2" title="Records produced per second over the last hour, and now (sampled end offsets)">
      <Sparkline values={of?.trend ?? []} testId="topic-sparkline" />
      <span className="w-16 text-right text-xs tabular-nums text-slate-500" data-testid="topic-rate">
        {latest === null ? "–" : `${latest < 10 ? latest.toFixed(1) : Math.round(latest).toLocaleString("en-US")}/s`}
      </span>
    </span>
  );
}
