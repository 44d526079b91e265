import type { ClusterLagHistory } from "./store";
import type { CycleOutcome } from "./types";

/**
 * The lag history in Prometheus' text format (version 0.0.4), under the names
 * kafka-lag-exporter and KMinion use, so that their dashboards and alert
 * rules work against the console unchanged; README.md lists every name.
 *
 * kafka-lag-exporter's per-partition series carry member_host, consumer_id
 * (the member id) and client_id of the member the partition is assigned to,
 * from the group's DescribeGroups in the newest cycle; empty for a partition
 * no member holds, as that exporter reports it.
 */

/** What the sampler of this process counted since it started (counters must only grow, so they do not come from the pruned history). */
export interface SamplerCounters {
  cycles: Record<CycleOutcome, number>;
}

/** Burrow-style statuses of the groups and their partitions, as the groups list judges them (server/lag-status). */
export interface SampledStatuses {
  byGroup: ReadonlyMap<string, { status: string | null; partitions: ReadonlyArray<{ topic: string; partition: number; status: string | null }> }>;
  /** When the cycle they judge was read; part of the cache key. */
  cycleAtMs: number;
}

export interface MetricsInput {
  history: ClusterLagHistory;
  /** Null while no judgement exists yet (no cycle, or the first one still being judged): no status series then. */
  statuses?: SampledStatuses | null;
  /** The `cluster_name` label. */
  clusterName: string;
  nowMs: number;
  /** Null when this process runs no sampler (SLUICE_LAG_SAMPLER=off). */
  sampler: SamplerCounters | null;
  historyBytes: number;
}

type Labels = Record<string, string | number>;

/** Cycles looked back through for the newest one that ran (the sampler backs off at most 8 ticks between runs). */
const FAILURE_LOOKBACK_CYCLES = 64;

/** Label values escaped as the text format wants: backslash, double quote and newline. */
const escapeLabel = (value: string) => (/[\\"\n]/.test(value) ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : value);

/** A label set as the text between the braces; built once per group, topic or partition and reused by every family. */
function labelText(labels: Labels): string {
  let text = "";
  for (const key in labels) text += `${text ? "," : ""}${key}="${escapeLabel(String(labels[key]))}"`;
  return text;
}

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: "gauge" | "counter", help: string, samples: Array<{ labels: Labels | string; value: number }>): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const { labels, value } of samples) {
      const text = typeof labels === "string" ? labels : labelText(labels);
      this.lines.push(`${name}${text ? `{${text}}` : ""} ${Number.isFinite(value) ? value : "NaN"}`);
    }
  }

  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}

export function renderMetrics({ history, clusterName, nowMs, sampler, historyBytes, statuses = null }: MetricsInput): string {
  const out = new Exposition();
  const groups = history.latestByGroup(nowMs);
  const cluster = { cluster_name: clusterName };

  // --- kafka-lag-exporter ------------------------------------------------------
  const partitions = groups.flatMap((g) =>
    g.partitions.map((p) => ({
      g,
      p,
      exporterLabels: labelText({ ...cluster, group: g.groupId, topic: p.topic, partition: p.partition, member_host: p.member?.host ?? "", consumer_id: p.member?.memberId ?? "", client_id: p.member?.clientId ?? "" }),
      minionLabels: labelText({ group_id: g.groupId, topic_name: p.topic, partition_id: p.partition }),
    })),
  );
  const perPartition = (pick: (p: (typeof partitions)[number]["p"]) => number | null) =>
    partitions.filter(({ p }) => pick(p) !== null).map(({ p, exporterLabels }) => ({ labels: exporterLabels, value: pick(p)! }));
  out.family("kafka_consumergroup_group_offset", "gauge", "The committed offset of the group on the partition.", perPartition((p) => p.committed));
  out.family("kafka_consumergroup_group_lag", "gauge", "Records between the group's committed offset and the partition's latest offset.", perPartition((p) => p.lag));
  out.family(
    "kafka_consumergroup_group_lag_seconds",
    "gauge",
    "Estimated seconds since the record at the committed offset was produced, interpolated from sampled latest offsets.",
    perPartition((p) => (p.timeLagMs === null ? null : p.timeLagMs / 1000)),
  );
  // A group that commits without joining (protocol type empty) is what kafka-lag-exporter calls a simple consumer.
  const perGroup = (pick: (g: (typeof groups)[number]) => number | null, withSimple: boolean) =>
    groups
      .filter((g) => pick(g) !== null)
      .map((g) => ({ labels: { ...cluster, group: g.groupId, ...(withSimple ? { is_simple_consumer: String(g.protocolType === "") } : {}) }, value: pick(g)! }));
  const maxLag = (g: (typeof groups)[number]) => {
    const known = g.partitions.filter((p) => p.lag !== null).map((p) => p.lag!);
    return known.length ? Math.max(...known) : null;
  };
  out.family("kafka_consumergroup_group_max_lag", "gauge", "The largest lag in records over the group's partitions.", perGroup(maxLag, true));
  out.family(
    "kafka_consumergroup_group_max_lag_seconds",
    "gauge",
    "The largest estimated lag in seconds over the group's partitions.",
    perGroup((g) => (g.timeLagMs === null ? null : g.timeLagMs / 1000), true),
  );
  out.family("kafka_consumergroup_group_sum_lag", "gauge", "The lag in records summed over the group's partitions.", perGroup((g) => g.lag, false));
  const byGroupTopic = new Map<string, { group: string; topic: string; lag: number | null; offsetSum: number }>();
  for (const { g, p } of partitions) {
    const key = `${g.groupId}\u0000${p.topic}`;
    const entry = byGroupTopic.get(key) ?? { group: g.groupId, topic: p.topic, lag: null, offsetSum: 0 };
    if (p.lag !== null) entry.lag = (entry.lag ?? 0) + p.lag;
    entry.offsetSum += p.committed;
    byGroupTopic.set(key, entry);
  }
  const groupTopics = [...byGroupTopic.values()];
  out.family(
    "kafka_consumergroup_group_topic_sum_lag",
    "gauge",
    "The lag in records summed over the group's partitions of the topic.",
    groupTopics.filter((e) => e.lag !== null).map((e) => ({ labels: { ...cluster, group: e.group, topic: e.topic }, value: e.lag! })),
  );
  // Log offsets of every partition a group has committed on (as kafka-lag-exporter reports them).
  const logOffsets = new Map<string, { logStart: number; logEnd: number; exporterLabels: string; minionLabels: string }>();
  for (const { p } of partitions) {
    const key = `${p.partition}/${p.topic}`;
    if (p.logStart === null || p.logEnd === null || logOffsets.has(key)) continue;
    logOffsets.set(key, {
      logStart: p.logStart,
      logEnd: p.logEnd,
      exporterLabels: labelText({ ...cluster, topic: p.topic, partition: p.partition }),
      minionLabels: labelText({ topic_name: p.topic, partition_id: p.partition }),
    });
  }
  const logs = [...logOffsets.values()];
  out.family("kafka_partition_latest_offset", "gauge", "The partition's latest offset (high watermark).", logs.map((l) => ({ labels: l.exporterLabels, value: l.logEnd })));
  out.family("kafka_partition_earliest_offset", "gauge", "The partition's earliest offset (log start).", logs.map((l) => ({ labels: l.exporterLabels, value: l.logStart })));

  // --- KMinion (namespace "kminion") --------------------------------------------
  out.family(
    "kminion_kafka_consumer_group_topic_partition_lag",
    "gauge",
    "The number of records the group is behind the partition's high watermark.",
    partitions.filter(({ p }) => p.lag !== null).map(({ p, minionLabels }) => ({ labels: minionLabels, value: p.lag! })),
  );
  out.family(
    "kminion_kafka_consumer_group_topic_lag",
    "gauge",
    "The number of records the group is behind over all partitions of the topic.",
    groupTopics.filter((e) => e.lag !== null).map((e) => ({ labels: { group_id: e.group, topic_name: e.topic }, value: e.lag! })),
  );
  out.family(
    "kminion_kafka_consumer_group_topic_offset_sum",
    "gauge",
    "The sum of the group's committed offsets over the partitions of the topic.",
    groupTopics.map((e) => ({ labels: { group_id: e.group, topic_name: e.topic }, value: e.offsetSum })),
  );
  out.family(
    "kminion_kafka_topic_partition_high_water_mark",
    "gauge",
    "The partition's high watermark.",
    logs.map((l) => ({ labels: l.minionLabels, value: l.logEnd })),
  );
  out.family(
    "kminion_kafka_topic_partition_low_water_mark",
    "gauge",
    "The partition's low watermark (log start).",
    logs.map((l) => ({ labels: l.minionLabels, value: l.logStart })),
  );
  out.family(
    "kminion_kafka_consumer_group_info",
    "gauge",
    "1 when the group is Stable, 0 otherwise; its state and protocol type as labels.",
    groups.map((g) => ({ labels: { group_id: g.groupId, protocol_type: g.protocolType, state: g.state ?? "" }, value: g.state === "Stable" ? 1 : 0 })),
  );
  // --- status (neither exporter has one; Burrow's rules, as the console judges them) ---
  // One series per group (and partition) with value 1, its status as a label, as kube-state-metrics
  // exports states: an alert is `sluice_consumergroup_status{status="STOPPED"} == 1`.
  const judgedGroups = statuses ? [...statuses.byGroup].filter(([, judged]) => judged.status !== null) : [];
  out.family(
    "sluice_consumergroup_status",
    "gauge",
    "1 for the group's status over the last sampling window: OK, WARNING, STALLED, STOPPED or REWIND (the worst of its partitions').",
    judgedGroups.map(([group, judged]) => ({ labels: { ...cluster, group, status: judged.status! }, value: 1 })),
  );
  out.family(
    "sluice_consumergroup_partition_status",
    "gauge",
    "1 for the partition's status over the last sampling window: OK, WARNING, STALLED, STOPPED or REWIND.",
    judgedGroups.flatMap(([group, judged]) =>
      judged.partitions.filter((p) => p.status !== null).map((p) => ({ labels: { ...cluster, group, topic: p.topic, partition: p.partition, status: p.status! }, value: 1 })),
    ),
  );

  // --- the sampler's own health ---------------------------------------------------
  const success = history.health().lastSuccess;
  const one = (value: number | null | undefined) => (value === null || value === undefined ? [] : [{ labels: cluster, value }]);
  // Skipped ticks say nothing about the cluster: "up" is the outcome of the newest cycle that ran.
  const lastRun = history.recentCycles(FAILURE_LOOKBACK_CYCLES).find((c) => c.outcome !== "skipped");
  out.family("sluice_lag_sampler_up", "gauge", "1 when the newest sampling cycle that ran succeeded, 0 when it failed.", one(lastRun ? Number(lastRun.outcome === "ok") : null));
  out.family("sluice_lag_sampler_last_success_timestamp_seconds", "gauge", "When the newest successful cycle read its samples.", one(success ? success.atMs / 1000 : null));
  out.family("sluice_lag_sampler_cycle_duration_seconds", "gauge", "How long the newest successful cycle took to read the cluster.", one(success ? success.durationMs / 1000 : null));
  out.family("sluice_lag_sampler_cycle_requests", "gauge", "Kafka requests the newest successful cycle sent.", one(success?.requests));
  out.family("sluice_lag_sampler_cycle_groups", "gauge", "Groups the newest successful cycle listed.", one(success?.groups));
  out.family("sluice_lag_sampler_cycle_partitions", "gauge", "Partitions whose log offsets the newest successful cycle read.", one(success?.partitions));
  out.family(
    "sluice_lag_sampler_cycles_total",
    "counter",
    "Sampling cycles this console process ran, by outcome (ok, failed, skipped).",
    sampler ? (["ok", "failed", "skipped"] as const).map((outcome) => ({ labels: { ...cluster, outcome }, value: sampler.cycles[outcome] })) : [],
  );
  out.family("sluice_lag_history_size_bytes", "gauge", "Bytes of the lag history database holding data.", [{ labels: {}, value: historyBytes }]);
  return out.toString();
}

/**
 * The rendered text, kept until the sampler records another cycle: the
 * figures only change with a cycle (kafka-lag-exporter likewise computes them
 * once per poll), and 10,000 partitions make about 10 MiB of text, so
 * Prometheus servers scraping every few seconds do not render it each time.
 */
export class MetricsCache {
  private key: string | null = null;
  private text = "";

  render(input: MetricsInput): string {
    const newest = input.history.recentCycles(1)[0];
    const key = `${input.history.name}/${newest?.id ?? 0}/${input.sampler ? input.sampler.cycles.ok + input.sampler.cycles.failed + input.sampler.cycles.skipped : -1}/${input.statuses?.cycleAtMs ?? -1}`;
    if (key !== this.key) {
      this.text = renderMetrics(input);
      this.key = key;
    }
    return this.text;
  }
}
