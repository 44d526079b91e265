import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type {
  DescribeGroupsResponse,
  FindCoordinatorResponse,
  ListGroupsResponse,
  MetadataResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
} from "@sluice/protocol/messages";
import { brokerApiVersions } from "../kafka/api-versions";
import { decodeConsumerAssignment } from "../kafka/consumer-assignment";
import type { BrokerAddress } from "../kafka/broker-wire";
import { LIST_OFFSETS_PARTITIONS_MAX, partitionOffsets, type TopicLeaders } from "../kafka/list-offsets";
import { REQUEST_TIMEOUT_MS, type ClusterClients } from "../kafka/registry";
import type { CycleSample } from "./types";

/** Groups asked about in one batched OffsetFetch (v8+) or FindCoordinator (v4+); more groups make more requests, sent together. */
export const GROUPS_PER_REQUEST_MAX = 1_000;
/** Per-group requests in flight at once against a cluster too old to batch them (OffsetFetch before v8, FindCoordinator before v4). */
export const PER_GROUP_REQUESTS_CONCURRENCY = 16;

// Versions asked for, the highest each broker serves up to these: Metadata v1+ takes a null topic list as
// "every topic"; ListGroups v4+ reports states; FindCoordinator v4+ and OffsetFetch v8+ take many groups at once;
// OffsetFetch v2-7 takes a null topic list as "every topic the group committed on".
const METADATA_VERSION_MAX = 12;
const METADATA_VERSION_MIN = 1;
const LIST_GROUPS_VERSION_MAX = 5;
const LIST_GROUPS_STATES_VERSION = 4;
const FIND_COORDINATOR_VERSION_MAX = 5;
const FIND_COORDINATOR_BATCH_VERSION = 4;
const FIND_COORDINATOR_SINGLE_VERSION = 1;
const OFFSET_FETCH_BATCH_VERSION = 8;
const OFFSET_FETCH_SINGLE_VERSION_MAX = 7;
const OFFSET_FETCH_SINGLE_VERSION_MIN = 2;
const DESCRIBE_GROUPS_VERSION_MAX = 5;
/** States in which a group has no members to describe. */
const MEMBERLESS_STATES = new Set(["Empty", "Dead"]);
const GROUP_KEY_TYPE = 0;

/** What one cycle read from the cluster, before it is stored. */
export type ClusterReading = Omit<CycleSample, "startedAtMs" | "durationMs">;

/** Highest version of each API key one broker serves, learned once per broker and kept until a cycle fails. */
export type VersionsCache = Map<string, Map<number, number>>;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function bootstrapAddresses(clients: ClusterClients): BrokerAddress[] {
  return clients.config.brokers.map((address, i) => {
    const colon = address.lastIndexOf(":");
    return { nodeId: -1 - i, host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
  });
}

/**
 * Reads every group's committed offsets and every partition's log start and
 * end, counting its requests: one Metadata; ApiVersions once per broker (kept
 * in `versions`); one ListGroups per broker; FindCoordinator and OffsetFetch
 * batched per GROUPS_PER_REQUEST_MAX groups where the brokers serve the
 * batched versions (one per group otherwise); DescribeGroups per
 * coordinator per GROUPS_PER_REQUEST_MAX groups that may have members (for
 * the member of each partition); ListOffsets twice (earliest,
 * latest) per leader per LIST_OFFSETS_PARTITIONS_MAX partitions. Throws when
 * the cluster cannot be reached or listed; a group whose offsets could not be
 * read comes back with `committed: null`.
 */
export async function readCluster(clients: ClusterClients, versions: VersionsCache, counter = { requests: 0 }): Promise<ClusterReading> {
  const ask = async <T>(broker: BrokerAddress, apiKey: number, version: number, body: unknown): Promise<T> => {
    counter.requests++;
    const wire = await clients.wire(broker.host, broker.port);
    return wire.request<T>(apiKey, version, body, REQUEST_TIMEOUT_MS);
  };
  const versionOf = async (broker: BrokerAddress, apiKey: number): Promise<number> => {
    const key = `${broker.host}:${broker.port}`;
    let served = versions.get(key);
    if (!served) {
      counter.requests++;
      const answer = await brokerApiVersions(clients, broker);
      versions.set(key, (served = new Map(answer.apis.map((a) => [a.apiKey, a.maxVersion]))));
    }
    return served.get(apiKey) ?? -1;
  };

  // Metadata from the first bootstrap broker that answers.
  let metadata: MetadataResponse | null = null;
  let lastError: unknown = null;
  for (const bootstrap of bootstrapAddresses(clients)) {
    try {
      const version = Math.min(await versionOf(bootstrap, ApiKey.Metadata), METADATA_VERSION_MAX);
      if (version < METADATA_VERSION_MIN) throw new Error(`broker ${bootstrap.host}:${bootstrap.port} serves no Metadata version from ${METADATA_VERSION_MIN}`);
      metadata = await ask<MetadataResponse>(bootstrap, ApiKey.Metadata, version, {
        topics: null,
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      });
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (!metadata) throw lastError instanceof Error ? lastError : new Error("no bootstrap broker answered");
  const brokers: BrokerAddress[] = metadata.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port }));
  const byNode = new Map(brokers.map((b) => [b.nodeId, b]));

  // Every group, from every broker (each lists the groups it coordinates).
  const listed = await Promise.all(
    brokers.map(async (broker) => {
      const version = Math.min(await versionOf(broker, ApiKey.ListGroups), LIST_GROUPS_VERSION_MAX);
      const response = await ask<ListGroupsResponse>(broker, ApiKey.ListGroups, version, { statesFilter: [], typesFilter: [] });
      if (response.errorCode !== 0) throw new Error(`ListGroups on broker ${broker.nodeId} answered error code ${response.errorCode}`);
      return response.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: version >= LIST_GROUPS_STATES_VERSION ? g.groupState : null, broker }));
    }),
  );
  const groups = new Map<string, { protocolType: string; state: string | null; listedBy: BrokerAddress }>();
  for (const g of listed.flat()) if (!groups.has(g.groupId)) groups.set(g.groupId, { protocolType: g.protocolType, state: g.state, listedBy: g.broker });
  // Only the consumer protocol (or none) commits offsets per partition.
  const committing = [...groups].filter(([, g]) => g.protocolType === "consumer" || g.protocolType === "").map(([id]) => id);
  const commits = new Set(committing);

  const coordinators = await coordinatorsOf(committing, brokers, byNode, ask, versionOf);
  // Members only for groups that may have some: those of a state with members, or of no known state.
  const withMembers = committing.filter((id) => !MEMBERLESS_STATES.has(groups.get(id)!.state ?? ""));
  const [committed, members] = await Promise.all([committedOffsetsOf(coordinators, ask, versionOf), membersOf(withMembers, coordinators, ask, versionOf)]);

  // Log offsets of every partition with a leader, batched per leader.
  const topics: TopicLeaders[] = metadata.topics
    .filter((t) => t.errorCode === 0 && t.name)
    .map((t) => ({ topic: t.name!, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, leader: p.leaderId })) }));
  const perLeader = new Map<number, number>();
  for (const t of topics) for (const p of t.partitions) if (byNode.has(p.leader)) perLeader.set(p.leader, (perLeader.get(p.leader) ?? 0) + 1);
  for (const count of perLeader.values()) counter.requests += 2 * Math.ceil(count / LIST_OFFSETS_PARTITIONS_MAX);
  const offsets = await partitionOffsets(clients, brokers, topics);
  const atMs = Date.now();
  const logOffsets: ClusterReading["logOffsets"] = [];
  for (const [topic, found] of offsets) for (const p of found.partitions) logOffsets.push({ topic, partition: p.partition, logStart: p.low, logEnd: p.high });
  if (logOffsets.length === 0 && perLeader.size > 0) throw new Error("no leader answered ListOffsets");

  return {
    atMs,
    requests: counter.requests,
    groups: [...groups].map(([groupId, g]) => ({
      groupId,
      state: g.state,
      protocolType: g.protocolType,
      committed: committed.get(groupId) ?? (commits.has(groupId) ? null : []),
      // A group in a memberless state has none; one whose description failed is left undescribed (its last assignment stays).
      members: members.get(groupId) ?? (commits.has(groupId) && MEMBERLESS_STATES.has(g.state ?? "") ? [] : null),
    })),
    logOffsets,
  };
}

type Ask = <T>(broker: BrokerAddress, apiKey: number, version: number, body: unknown) => Promise<T>;
type VersionOf = (broker: BrokerAddress, apiKey: number) => Promise<number>;
type Committed = Array<{ topic: string; partition: number; offset: number }>;

function committedOf(topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; committedOffset: bigint; errorCode: number }> }>): Committed {
  const out: Committed = [];
  for (const t of topics)
    for (const p of t.partitions) if (p.errorCode === 0 && p.committedOffset >= 0n) out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset) });
  return out;
}

/** Coordinators of many groups (FindCoordinator, batched from v4); a group whose coordinator could not be found is left out. */
async function coordinatorsOf(groupIds: string[], brokers: BrokerAddress[], byNode: Map<number, BrokerAddress>, ask: Ask, versionOf: VersionOf): Promise<Map<string, BrokerAddress>> {
  const coordinators = new Map<string, BrokerAddress>();
  if (groupIds.length === 0) return coordinators;
  const bootstrap = brokers[0];
  const findVersion = Math.min(await versionOf(bootstrap, ApiKey.FindCoordinator), FIND_COORDINATOR_VERSION_MAX);
  if (findVersion >= FIND_COORDINATOR_BATCH_VERSION) {
    await Promise.all(
      chunks(groupIds, GROUPS_PER_REQUEST_MAX).map(async (keys) => {
        const response = await ask<FindCoordinatorResponse>(bootstrap, ApiKey.FindCoordinator, findVersion, { key: "", keyType: GROUP_KEY_TYPE, coordinatorKeys: keys });
        for (const c of response.coordinators) if (c.errorCode === 0) coordinators.set(c.key, byNode.get(c.nodeId) ?? { nodeId: c.nodeId, host: c.host, port: c.port });
      }),
    );
  } else {
    await forEachLimited(groupIds, PER_GROUP_REQUESTS_CONCURRENCY, async (groupId) => {
      const response = await ask<FindCoordinatorResponse>(bootstrap, ApiKey.FindCoordinator, FIND_COORDINATOR_SINGLE_VERSION, { key: groupId, keyType: GROUP_KEY_TYPE, coordinatorKeys: [] }).catch(
        () => null,
      );
      if (response?.errorCode === 0) coordinators.set(groupId, byNode.get(response.nodeId) ?? { nodeId: response.nodeId, host: response.host, port: response.port });
    });
  }
  return coordinators;
}

/** The groups of each coordinator, among `groupIds` (all of them when left out). */
function byCoordinator(coordinators: Map<string, BrokerAddress>, groupIds?: string[]): Array<{ broker: BrokerAddress; groups: string[] }> {
  const out = new Map<string, { broker: BrokerAddress; groups: string[] }>();
  for (const groupId of groupIds ?? coordinators.keys()) {
    const broker = coordinators.get(groupId);
    if (!broker) continue;
    const key = `${broker.host}:${broker.port}`;
    let entry = out.get(key);
    if (!entry) out.set(key, (entry = { broker, groups: [] }));
    entry.groups.push(groupId);
  }
  return [...out.values()];
}

type Members = NonNullable<ClusterReading["groups"][number]["members"]>;

/**
 * Members and their assignments of some groups: DescribeGroups to each
 * coordinator, GROUPS_PER_REQUEST_MAX groups per request (every version takes
 * many). A group whose description failed is left out.
 */
async function membersOf(groupIds: string[], coordinators: Map<string, BrokerAddress>, ask: Ask, versionOf: VersionOf): Promise<Map<string, Members>> {
  const found = new Map<string, Members>();
  await Promise.all(
    byCoordinator(coordinators, groupIds).map(async ({ broker, groups }) => {
      const version = Math.min(await versionOf(broker, ApiKey.DescribeGroups), DESCRIBE_GROUPS_VERSION_MAX);
      if (version < 0) return;
      await Promise.all(
        chunks(groups, GROUPS_PER_REQUEST_MAX).map(async (chunk) => {
          const response = await ask<DescribeGroupsResponse>(broker, ApiKey.DescribeGroups, version, { groups: chunk, includeAuthorizedOperations: false }).catch(() => null);
          for (const g of response?.groups ?? []) {
            if (g.errorCode !== 0) continue;
            found.set(
              g.groupId,
              g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignments: decodeConsumerAssignment(g.protocolType, m.memberAssignment) })),
            );
          }
        }),
      );
    }),
  );
  return found;
}

/** Committed offsets of the groups with a known coordinator: OffsetFetch to each (batched from v8). A group whose offsets could not be read is left out. */
async function committedOffsetsOf(coordinators: Map<string, BrokerAddress>, ask: Ask, versionOf: VersionOf): Promise<Map<string, Committed>> {
  const found = new Map<string, Committed>();
  await Promise.all(
    byCoordinator(coordinators).map(async ({ broker, groups }) => {
      const version = await versionOf(broker, ApiKey.OffsetFetch);
      if (version >= OFFSET_FETCH_BATCH_VERSION) {
        await Promise.all(
          chunks(groups, GROUPS_PER_REQUEST_MAX).map(async (chunk) => {
            const request: OffsetFetchRequest = {
              groupId: "",
              topics: [],
              groups: chunk.map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
              requireStable: false,
            };
            const response = await ask<OffsetFetchResponse>(broker, ApiKey.OffsetFetch, OFFSET_FETCH_BATCH_VERSION, request).catch(() => null);
            for (const g of response?.groups ?? []) if (g.errorCode === 0) found.set(g.groupId, committedOf(g.topics));
          }),
        );
      } else if (version >= OFFSET_FETCH_SINGLE_VERSION_MIN) {
        const single = Math.min(version, OFFSET_FETCH_SINGLE_VERSION_MAX);
        await forEachLimited(groups, PER_GROUP_REQUESTS_CONCURRENCY, async (groupId) => {
          const request: OffsetFetchRequest = { groupId, topics: null, groups: [], requireStable: false };
          const response = await ask<OffsetFetchResponse>(broker, ApiKey.OffsetFetch, single, request).catch(() => null);
          if (response?.errorCode === 0) found.set(groupId, committedOf(response.topics));
        });
      }
    }),
  );
  return found;
}
