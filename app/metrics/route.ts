import { lagHistory, lagHistoryStore } from "@/server/lag-history";
import { MetricsCache } from "@/server/lag-history/metrics";
import { runningLagSampler } from "@/server/lag-history/start";
import { handle } from "@/server/http/route";
import { sampledGroupStatuses } from "@/server/services/group-list-page";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const cache = new MetricsCache();

/**
 * Prometheus scrapes this (its default path is /metrics): the newest lag
 * samples under kafka-lag-exporter's and KMinion's metric names, and the
 * sampler's health, as of the newest cycle. Read from the lag history only,
 * so a scrape sends no request to the cluster.
 */
export const GET = handle(async () => {
  const history = lagHistory();
  const sampler = runningLagSampler();
  const text = cache.render({
    history,
    clusterName: history.name,
    nowMs: Date.now(),
    sampler: sampler ? { cycles: sampler.cycles } : null,
    historyBytes: lagHistoryStore().size().usedBytes,
    statuses: sampledGroupStatuses(),
  });
  return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
});
