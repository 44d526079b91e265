import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { topicListSchema, type TopicListQuery } from "./topic-list";
import { z } from "zod";
import { apiFetch } from "./api-client";
import {
  brokerSchema,
  browseResultSchema,
  clusterOverviewSchema,
  configListSchema,
  groupDetailSchema,
  groupListSchema,
  messageSchema,
  metadataQuorumSchema,
  topicDetailSchema,
  type BrowseInput,
} from "./contracts";
import { queryKeys } from "./query-keys";
import { groupListPageSchema, type GroupListQuery } from "./group-list";
import { groupLagHistorySchema, groupStatusSchema, topicRateHistorySchema, topicTrendsSchema, type GroupLagQuery, type LagRange } from "./lag-history";
import { paths } from "./paths";

/**
 * Query options shared by client views and server pages. A server page
 * prefetches with the same key and the service as queryFn; the client view
 * then hydrates without a second request.
 */
export const overviewQuery = () =>
  queryOptions({ queryKey: queryKeys.overview(), queryFn: () => apiFetch("/api/cluster", clusterOverviewSchema), refetchInterval: 15_000 });

export const brokersQuery = () =>
  queryOptions({ queryKey: queryKeys.brokers(), queryFn: () => apiFetch("/api/brokers", z.object({ brokers: z.array(brokerSchema) })) });

/** The KRaft metadata quorum; refreshed often, as lag and leadership move. */
export const quorumQuery = () =>
  queryOptions({ queryKey: queryKeys.quorum(), queryFn: () => apiFetch("/api/cluster/quorum", metadataQuorumSchema), refetchInterval: 5_000 });

export const brokerConfigsQuery = (id: number) =>
  queryOptions({ queryKey: queryKeys.brokerConfigs(id), queryFn: () => apiFetch(`/api/brokers/${id}/configs`, configListSchema) });

/** One page of the topic list; the previous page stays on screen while the next loads (no flash on every keystroke). */
export const topicsQuery = (query: TopicListQuery) =>
  queryOptions({
    queryKey: queryKeys.topics(query),
    queryFn: () => apiFetch(`/api/topics?${new URLSearchParams({ ...query, internal: query.internal ? "1" : "", page: String(query.page) })}`, topicListSchema),
    placeholderData: keepPreviousData,
  });

export const topicQuery = (name: string) =>
  queryOptions({ queryKey: queryKeys.topic(name), queryFn: () => apiFetch(paths.api.topic(name), topicDetailSchema) });

export const topicConfigsQuery = (name: string) =>
  queryOptions({ queryKey: queryKeys.topicConfigs(name), queryFn: () => apiFetch(`${paths.api.topic(name)}/configs`, configListSchema) });

export function browseQuery(name: string, input: BrowseInput) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) if (value !== undefined) params.set(key, String(value));
  return queryOptions({
    queryKey: queryKeys.messages(name, input),
    queryFn: () => apiFetch(`${paths.api.topic(name)}/messages?${params}`, browseResultSchema),
    staleTime: 0,
  });
}

export const recordQuery = (name: string, partition: number, offset: number) =>
  queryOptions({
    queryKey: queryKeys.record(name, partition, offset),
    queryFn: () => apiFetch(`${paths.api.topic(name)}/records/${partition}/${offset}`, messageSchema),
    staleTime: Infinity,
  });

/** Group pages refresh themselves this often unless the user pauses them. */
export const GROUP_REFRESH_MS = 5_000;

export const groupsQuery = (refresh = true) =>
  queryOptions({ queryKey: queryKeys.groups(), queryFn: () => apiFetch("/api/groups", groupListSchema), refetchInterval: refresh ? GROUP_REFRESH_MS : false });

export const groupQuery = (id: string, refresh = true) =>
  queryOptions({ queryKey: queryKeys.group(id), queryFn: () => apiFetch(paths.api.group(id), groupDetailSchema), refetchInterval: refresh ? GROUP_REFRESH_MS : false });

/** Lag charts and sparklines refresh this often: new samples arrive once per sampling interval. */
export const HISTORY_REFRESH_MS = 5_000;

/** One page of the groups list over every sampled group (server-side search, filter and sort). */
export const groupListQuery = (query: GroupListQuery, refresh = true) =>
  queryOptions({
    queryKey: queryKeys.groupList(query),
    queryFn: () => apiFetch(`/api/group-list?${new URLSearchParams({ ...query, page: String(query.page) })}`, groupListPageSchema),
    placeholderData: keepPreviousData,
    refetchInterval: refresh ? GROUP_REFRESH_MS : false,
  });

export const groupLagQuery = (id: string, query: GroupLagQuery, refresh = true) =>
  queryOptions({
    queryKey: queryKeys.groupLag(id, query),
    queryFn: () => apiFetch(`${paths.api.group(id)}/lag?${new URLSearchParams(query)}`, groupLagHistorySchema),
    placeholderData: keepPreviousData,
    refetchInterval: refresh ? HISTORY_REFRESH_MS : false,
  });

export const groupStatusQuery = (id: string, refresh = true) =>
  queryOptions({ queryKey: queryKeys.groupStatus(id), queryFn: () => apiFetch(`${paths.api.group(id)}/status`, groupStatusSchema), refetchInterval: refresh ? HISTORY_REFRESH_MS : false });

export const topicRateQuery = (name: string, range: LagRange) =>
  queryOptions({
    queryKey: queryKeys.topicRate(name, range),
    queryFn: () => apiFetch(`${paths.api.topic(name)}/rate?range=${range}`, topicRateHistorySchema),
    placeholderData: keepPreviousData,
    refetchInterval: HISTORY_REFRESH_MS,
  });

export const topicTrendsQuery = (names: string[]) =>
  queryOptions({
    queryKey: queryKeys.topicTrends(names),
    queryFn: () => apiFetch(`/api/topic-trends?topics=${names.map(encodeURIComponent).join(",")}`, topicTrendsSchema),
    enabled: names.length > 0,
    placeholderData: keepPreviousData,
    refetchInterval: HISTORY_REFRESH_MS * 6,
  });
