import type { BrowseInput } from "./contracts";
import type { GroupListQuery } from "./group-list";
import type { GroupLagQuery, LagRange } from "./lag-history";
import type { TopicListQuery } from "./topic-list";

/** Query keys per domain, all under one cluster, so a mutation can invalidate exactly what it changed. */
export const queryKeys = {
  cluster: (cluster = "default") => ["clusters", cluster] as const,
  overview: (cluster = "default") => ["clusters", cluster, "overview"] as const,
  brokers: (cluster = "default") => ["clusters", cluster, "brokers"] as const,
  quorum: (cluster = "default") => ["clusters", cluster, "quorum"] as const,
  brokerConfigs: (id: number, cluster = "default") => ["clusters", cluster, "brokers", id, "configs"] as const,
  /** Without a query: every topic list page (what a mutation invalidates). */
  topics: (query?: TopicListQuery, cluster = "default") => (query ? (["clusters", cluster, "topic-list", query] as const) : (["clusters", cluster, "topic-list"] as const)),
  topic: (name: string, cluster = "default") => ["clusters", cluster, "topics", name] as const,
  topicConfigs: (name: string, cluster = "default") => ["clusters", cluster, "topics", name, "configs"] as const,
  messages: (name: string, input: BrowseInput, cluster = "default") => ["clusters", cluster, "topics", name, "messages", input] as const,
  groups: (cluster = "default") => ["clusters", cluster, "groups"] as const,
  group: (id: string, cluster = "default") => ["clusters", cluster, "groups", id] as const,
  /** Without a query: every page of the groups list over all sampled groups. */
  groupList: (query?: GroupListQuery, cluster = "default") => (query ? (["clusters", cluster, "group-list", query] as const) : (["clusters", cluster, "group-list"] as const)),
  groupLag: (id: string, query: GroupLagQuery, cluster = "default") => ["clusters", cluster, "groups", id, "lag", query] as const,
  groupStatus: (id: string, cluster = "default") => ["clusters", cluster, "groups", id, "status"] as const,
  topicRate: (name: string, range: LagRange, cluster = "default") => ["clusters", cluster, "topics", name, "rate", range] as const,
  topicTrends: (names: string[], cluster = "default") => ["clusters", cluster, "topic-trends", names] as const,
  /** The console's own audit log (not per cluster: an entry names its cluster). */
  audit: (filters: Record<string, string>) => ["audit", filters] as const,
  record: (name: string, partition: number, offset: number, cluster = "default") =>
    ["clusters", cluster, "topics", name, "records", partition, offset] as const,
};
