import type { BrokerConfig } from "../config/broker-config";
import type { GroupCoordinator } from "../coordinator/group-coordinator";
import type { OffsetsLog } from "../coordinator/offsets-log";
import type { BrokerHeartbeats } from "../metadata/broker-heartbeats";
import type { Controller } from "../metadata/controller";
import type { MetadataImage } from "../metadata/image";
import type { ProducerIdManager } from "../producer/producer-id-manager";
import type { ProduceFetchPath } from "../partition/produce-fetch-path";
import type { QuorumEndpoint } from "../raft/quorum";
import type { Clock } from "../runtime/clock";
import type { Logger } from "../runtime/logger";
import type { LogManager } from "../storage/log-manager";

/** An API the node serves and its version range. */
export interface ServedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * What request handlers may use of the node: only these parts, each as narrow
 * as the handlers need it. The node (broker.ts) implements it; handlers never
 * import the node itself, so that the node can be wired differently (a
 * cluster member, the simulator) without touching them.
 */
export interface NodeServices {
  readonly nodeId: number;
  /** The current broker config, dynamic overrides applied. */
  readonly config: BrokerConfig;
  /** The committed metadata, read-only to handlers. */
  readonly image: MetadataImage;
  readonly isStopping: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The versions of each API this node serves, by key (for ApiVersions). */
  readonly handlers: ReadonlyMap<number, ServedApi>;
  /** The produce and fetch path. */
  readonly produceFetch: Pick<ProduceFetchPath, "appendRecords" | "waitForCommit" | "waitForAppend" | "partition" | "partitionLog">;
  readonly logs: Pick<LogManager, "sizeBytesByPartition" | "spaceOf">;
  readonly groups: GroupCoordinator;
  readonly offsetsLog: Pick<OffsetsLog, "coordinatorFor">;
  readonly producerIds: Pick<ProducerIdManager, "initProducerId">;
  /**
   * Metadata changes go through here: each proposes records and resolves once
   * they are committed; their effects on this node come from the metadata
   * loader, never from the request.
   */
  /** The metadata quorum this node is a voter or observer of; null for a cluster of one. */
  readonly quorum: QuorumEndpoint | null;
  /** Broker registrations and heartbeats, served by the active controller of a quorum; null for a cluster of one. */
  readonly brokerHeartbeats: Pick<BrokerHeartbeats, "register" | "heartbeat"> | null;
  readonly controller: Pick<Controller, "createTopic" | "autoCreateTopic" | "deleteTopic" | "createPartitions" | "alterConfigs" | "allocateProducerIds">;
  /** The per-topic counters the fetch path adds the record bytes and records it sends to (BytesOutPerSec). */
  readonly metrics: { topic(name: string): { fetched(bytes: number, records: number): void } };
}
