/*
 * The node's metrics under the names Kafka's brokers get from the Prometheus
 * JMX exporter (its example config kafka-2_0_0.yml, and Strimzi's for the
 * raft-metrics and socket-server-metrics beans that config leaves out), so
 * that dashboards and alerts written for Kafka work unchanged. The README's
 * "Metrics" section lists each name with the MBean it stands for.
 *
 * The composition root builds one NodeMetrics and hands each part the
 * narrow recorder it needs: the dispatcher RequestMetrics, the partitions
 * their topic's TopicMetrics and the ISR counters. State the node already
 * holds (the image, connections, the quorum) is read at scrape time.
 */
import type { MetadataImage } from "../metadata/image";
import { API_MESSAGES, ApiKey } from "../protocol/generated/api-messages";
import type { EventLoopDelayMonitor, EventLoopDelaySnapshot } from "../runtime/event-loop";
import { MetricsRegistry, type Counter, type CounterFamily } from "./registry";
import type { WindowedSummary } from "./summary";

/** Kafka's histogram percentiles as the jmx exporter labels them ("0.$1" of 50thPercentile ... 999thPercentile). */
const KAFKA_QUANTILES = [
  [0.5, "0.50"],
  [0.75, "0.75"],
  [0.95, "0.95"],
  [0.98, "0.98"],
  [0.99, "0.99"],
  [0.999, "0.999"],
] as const;
/** Request-time quantiles cover the last one to two minutes. */
const REQUEST_TIME_WINDOW_MS = 60_000;
/** Fetch requests are also counted as one of these, as Kafka's RequestChannel does. */
const FETCH_CONSUMER = "FetchConsumer";
const FETCH_FOLLOWER = "FetchFollower";
/** Kafka's BrokerState values (kafka.server:type=KafkaServer,name=BrokerState). */
export const BROKER_STATE_RUNNING = 3;
export const BROKER_STATE_PENDING_CONTROLLED_SHUTDOWN = 6;
export const BROKER_STATE_SHUTTING_DOWN = 7;

/** The Raft quorum as raft-metrics reports it. */
export interface QuorumView {
  /** Kafka's current-state: leader, candidate, voted, follower, observer, unattached, prospective or resigned. */
  readonly state: string;
  /** -1 when no leader is known. */
  readonly leaderId: number;
  readonly epoch: number;
  /** -1 when this node voted for no one in this epoch. */
  readonly votedFor: number;
  readonly highWatermark: number;
  readonly logEndOffset: number;
}

/** The view of a Raft node's state raft-metrics reports (raft/raft-node.ts's RaftNode has these getters). */
export interface RaftStateSource {
  readonly role: "unattached" | "prospective" | "candidate" | "leader" | "follower" | "resigned";
  readonly isVoter: boolean;
  readonly leaderId: number;
  readonly epoch: number;
  readonly votedFor: number;
  readonly highWatermark: number;
  readonly logEndOffset: number;
}

/**
 * A Raft node's state under Kafka's current-state names (KafkaRaftMetrics):
 * an unattached voter that voted in this epoch is "voted", a follower that is
 * not a voter an "observer".
 */
export function quorumViewOf(raft: RaftStateSource): QuorumView {
  let state: string = raft.role;
  if (raft.role === "unattached" && raft.votedFor >= 0) state = "voted";
  else if (raft.role === "follower" && !raft.isVoter) state = "observer";
  return { state, leaderId: raft.leaderId, epoch: raft.epoch, votedFor: raft.votedFor, highWatermark: raft.highWatermark, logEndOffset: raft.logEndOffset };
}

/** What the gauges read at scrape time; each is a narrow view of a part the node already has. */
export interface NodeMetricsSources {
  readonly nodeId: number;
  /** Whether process.roles has controller: the kafka.controller metrics are reported by controllers only. */
  readonly isController: boolean;
  image(): MetadataImage;
  /** Whether this node is the active controller. */
  isActiveController(): boolean;
  quorum(): QuorumView;
  /** Open connections by listener name. */
  connectionsByListener(): Iterable<readonly [listener: string, count: number]>;
  /** Null when the node measures no event-loop delay (the simulator, a test). */
  readonly eventLoopDelay: EventLoopDelayMonitor | null;
}

/** What the dispatcher records of each request it serves. */
export interface RequestMetrics {
  /** The time now on the clock durations are measured by (ms, monotonic). */
  nowMs(): number;
  /** A request whose response is ready: its api, version, and when the dispatcher took it. `request` is the decoded body (a Fetch says whether a follower sent it). */
  completed(apiKey: number, apiVersion: number, startMs: number, request: unknown): void;
}

/**
 * The produce and fetch counters of one topic, held by its partitions (it
 * is their PartitionMetrics); each call also counts towards all topics.
 */
export class TopicMetrics {
  constructor(
    private readonly topic: TopicCounters,
    private readonly all: TopicCounters,
    private readonly isr: IsrCounters,
  ) {}

  /** Records appended to the log as the leader: `records` records in `bytes` bytes of batches. */
  appended(records: number, bytes: number): void {
    this.topic.messagesIn.value += records;
    this.topic.bytesIn.value += bytes;
    this.all.messagesIn.value += records;
    this.all.bytesIn.value += bytes;
  }

  /** Record batches sent to a consumer: their bytes and the records in them. */
  fetched(bytes: number, records: number): void {
    this.topic.bytesOut.value += bytes;
    this.all.bytesOut.value += bytes;
    this.topic.messagesOut.value += records;
    this.all.messagesOut.value += records;
  }

  isrShrunk(): void {
    this.isr.shrinks.value++;
  }

  isrExpanded(): void {
    this.isr.expands.value++;
  }
}

/** ISR changes of partitions this node leads (kafka.server:type=ReplicaManager IsrShrinksPerSec, IsrExpandsPerSec). */
interface IsrCounters {
  shrinks: Counter;
  expands: Counter;
}

interface TopicCounters {
  messagesIn: Counter;
  bytesIn: Counter;
  bytesOut: Counter;
  messagesOut: Counter;
}

/** One api's request counters (one per version, made on first use) and its total-time summary. */
class ApiRequestMetrics {
  private readonly byVersion: Array<Counter | undefined> = [];

  constructor(
    private readonly name: string,
    private readonly requests: CounterFamily,
    readonly totalTime: WindowedSummary,
  ) {}

  countVersion(apiVersion: number): void {
    let counter = this.byVersion[apiVersion];
    if (counter === undefined) {
      counter = this.requests.child([this.name, String(apiVersion)]);
      this.byVersion[apiVersion] = counter;
    }
    counter.value++;
  }
}

export class NodeMetrics implements RequestMetrics {
  readonly registry: MetricsRegistry;
  /** Kafka's BrokerState number; the node sets it as it starts and stops. */
  brokerState = BROKER_STATE_RUNNING;
  private readonly isr: IsrCounters;
  private readonly byApiKey: Array<ApiRequestMetrics | undefined> = [];
  private readonly fetchConsumer: ApiRequestMetrics;
  private readonly fetchFollower: ApiRequestMetrics;
  private readonly topics = new Map<string, TopicMetrics>();
  private readonly allTopics: TopicCounters;
  private readonly messagesIn: CounterFamily;
  private readonly bytesIn: CounterFamily;
  private readonly bytesOut: CounterFamily;
  private readonly messagesOut: CounterFamily;

  constructor(
    private readonly sources: NodeMetricsSources,
    /** The monotonic clock durations are measured by, in ms. */
    readonly nowMs: () => number,
    /** The api keys served. */
    apiKeys: Iterable<number>,
  ) {
    const registry = new MetricsRegistry(nowMs);
    this.registry = registry;

    // kafka.server:type=BrokerTopicMetrics: without a topic label for all topics, with one per topic.
    this.messagesIn = registry.counter("kafka_server_brokertopicmetrics_messagesin_total", "Records appended as the leader (MessagesInPerSec)", ["topic"]);
    this.bytesIn = registry.counter("kafka_server_brokertopicmetrics_bytesin_total", "Record batch bytes appended as the leader (BytesInPerSec)", ["topic"]);
    this.bytesOut = registry.counter("kafka_server_brokertopicmetrics_bytesout_total", "Record batch bytes sent to consumers (BytesOutPerSec)", ["topic"]);
    // Kafka has no messages-out meter (it sends batches without counting their records); this one is Sluice's.
    this.messagesOut = registry.counter("sluice_server_brokertopicmetrics_messagesout_total", "Records in the batches sent to consumers (no Kafka equivalent)", ["topic"]);
    // Kafka's all-topics meter is the same name without the topic tag.
    this.allTopics = {
      messagesIn: this.messagesIn.child([], []),
      bytesIn: this.bytesIn.child([], []),
      bytesOut: this.bytesOut.child([], []),
      messagesOut: this.messagesOut.child([], []),
    };

    // kafka.network:type=RequestMetrics.
    const requests = registry.counter("kafka_network_requestmetrics_requests_total", "Requests served, by api and version (RequestsPerSec)", ["request", "version"]);
    const totalTime = registry.summary(
      "kafka_network_requestmetrics_totaltimems",
      "Time from the dispatcher taking a request to its response being ready, in ms, by api (TotalTimeMs)",
      ["request"],
      KAFKA_QUANTILES,
      REQUEST_TIME_WINDOW_MS,
    );
    const apiMetrics = (name: string) => new ApiRequestMetrics(name, requests, totalTime.child([name]));
    for (const apiKey of apiKeys) {
      const spec = API_MESSAGES.get(apiKey);
      if (spec) this.byApiKey[apiKey] = apiMetrics(spec.name);
    }
    this.fetchConsumer = apiMetrics(FETCH_CONSUMER);
    this.fetchFollower = apiMetrics(FETCH_FOLLOWER);

    // kafka.server:type=ReplicaManager.
    this.isr = {
      shrinks: registry.counter("kafka_server_replicamanager_isrshrinks_total", "Times the ISR of a partition led here shrank (IsrShrinksPerSec)").child(),
      expands: registry.counter("kafka_server_replicamanager_isrexpands_total", "Times the ISR of a partition led here grew (IsrExpandsPerSec)").child(),
    };
    const replicaGauge = (name: string, help: string, read: (counts: ReplicaCounts) => number) =>
      registry.gauge(`kafka_server_replicamanager_${name}`, help, [], (emit) => emit([], read(replicaCounts(sources.image(), sources.nodeId))));
    replicaGauge("underreplicatedpartitions", "Partitions led here whose ISR is smaller than their replica set (UnderReplicatedPartitions)", (c) => c.underReplicated);
    replicaGauge("partitioncount", "Partitions with a replica on this node (PartitionCount)", (c) => c.hosted);
    replicaGauge("leadercount", "Partitions led by this node (LeaderCount)", (c) => c.led);

    // kafka.controller:type=KafkaController, on controllers.
    if (sources.isController) {
      const controllerGauge = (name: string, help: string, read: () => number) =>
        registry.gauge(`kafka_controller_kafkacontroller_${name}`, help, [], (emit) => emit([], read()));
      controllerGauge("activecontrollercount", "1 on the active controller, 0 elsewhere (ActiveControllerCount)", () => (sources.isActiveController() ? 1 : 0));
      controllerGauge("offlinepartitionscount", "Partitions without a leader (OfflinePartitionsCount)", () => offlinePartitions(sources.image()));
      controllerGauge("globaltopiccount", "Topics in the cluster (GlobalTopicCount)", () => sources.image().topicsByName.size);
      controllerGauge("globalpartitioncount", "Partitions in the cluster (GlobalPartitionCount)", () => partitionCount(sources.image()));
      controllerGauge("activebrokercount", "Brokers registered (ActiveBrokerCount)", () => sources.image().brokers.size);
    }

    // kafka.server:type=raft-metrics.
    const raftGauge = (name: string, help: string, read: (quorum: QuorumView) => number) =>
      registry.gauge(`kafka_server_raftmetrics_${name}`, help, [], (emit) => emit([], read(sources.quorum())));
    raftGauge("current_leader", "The current quorum leader's id; -1 when unknown (current-leader)", (q) => q.leaderId);
    raftGauge("current_epoch", "The current quorum epoch (current-epoch)", (q) => q.epoch);
    raftGauge("current_vote", "The voter this node voted for in the current epoch; -1 for none (current-vote)", (q) => q.votedFor);
    raftGauge("high_watermark", "The metadata log's high watermark (high-watermark)", (q) => q.highWatermark);
    raftGauge("log_end_offset", "The metadata log's end offset (log-end-offset)", (q) => q.logEndOffset);
    registry.gauge(
      "kafka_server_raftmetrics_current_state",
      "This node's quorum state as a label, value 1 (current-state)",
      ["current_state"],
      (emit) => emit([sources.quorum().state], 1),
      "untyped",
    );

    // kafka.server:type=KafkaServer,name=BrokerState.
    registry.gauge("kafka_server_kafkaserver_brokerstate", "Kafka's broker state: 3 running, 6 pending controlled shutdown, 7 shutting down (BrokerState)", [], (emit) =>
      emit([], this.brokerState),
    );

    // kafka.server:type=socket-server-metrics,listener=...,networkProcessor=... connection-count; one event loop is one network processor.
    registry.gauge(
      "kafka_server_socket_server_metrics_connection_count",
      "Open connections, by listener (connection-count)",
      ["listener", "networkProcessor"],
      (emit) => {
        for (const [listener, count] of sources.connectionsByListener()) emit([listener, "0"], count);
      },
    );

    // The event loop's delay, under prom-client's names (Node's stand-in for Kafka's network and request thread idle ratios).
    const eventLoop = sources.eventLoopDelay;
    if (eventLoop) {
      const stats: Array<[name: string, field: keyof EventLoopDelaySnapshot, what: string]> = [
        ["min", "minMs", "The smallest"],
        ["max", "maxMs", "The largest"],
        ["mean", "meanMs", "The mean"],
        ["stddev", "stddevMs", "The standard deviation of the"],
        ["p50", "p50Ms", "The median"],
        ["p90", "p90Ms", "The 90th percentile of the"],
        ["p99", "p99Ms", "The 99th percentile of the"],
      ];
      // One reading for the seven gauges of a scrape, then a fresh window, as prom-client does.
      let snapshot = eventLoop.snapshot();
      registry.onScrape(
        () => (snapshot = eventLoop.snapshot()),
        () => eventLoop.reset(),
      );
      for (const [name, field, what] of stats)
        registry.gauge(`nodejs_eventloop_lag_${name}_seconds`, `${what} event-loop delay since the previous scrape, in seconds`, [], (emit) =>
          emit([], snapshot[field] / 1000),
        );
    }
  }

  // --- RequestMetrics -------------------------------------------------------------------

  completed(apiKey: number, apiVersion: number, startMs: number, request: unknown): void {
    const api = this.byApiKey[apiKey];
    if (api === undefined) return;
    const nowMs = this.nowMs();
    const elapsedMs = nowMs - startMs;
    api.countVersion(apiVersion);
    api.totalTime.observe(elapsedMs, nowMs);
    if (apiKey === ApiKey.Fetch) {
      const variant = fromFollower(request) ? this.fetchFollower : this.fetchConsumer;
      variant.countVersion(apiVersion);
      variant.totalTime.observe(elapsedMs, nowMs);
    }
  }

  // --- topics ---------------------------------------------------------------------------

  /** The counters of one topic, made on first use; callers keep the object (a partition holds its topic's). */
  topic(name: string): TopicMetrics {
    let metrics = this.topics.get(name);
    if (!metrics) {
      const counters = {
        messagesIn: this.messagesIn.child([name]),
        bytesIn: this.bytesIn.child([name]),
        bytesOut: this.bytesOut.child([name]),
        messagesOut: this.messagesOut.child([name]),
      };
      metrics = new TopicMetrics(counters, this.allTopics, this.isr);
      this.topics.set(name, metrics);
    }
    return metrics;
  }

  /** A deleted topic's series go, as Kafka removes its meters (the all-topics totals keep what it counted). */
  topicDeleted(name: string): void {
    if (!this.topics.delete(name)) return;
    for (const family of [this.messagesIn, this.bytesIn, this.bytesOut, this.messagesOut]) family.remove([name]);
  }

  /** The exposition text of every metric. */
  render(): string {
    return this.registry.render();
  }
}

interface ReplicaCounts {
  hosted: number;
  led: number;
  underReplicated: number;
}

function replicaCounts(image: MetadataImage, nodeId: number): ReplicaCounts {
  const counts = { hosted: 0, led: 0, underReplicated: 0 };
  for (const topic of image.topicsByName.values()) {
    for (const partition of topic.partitions) {
      if (partition.replicas.includes(nodeId)) counts.hosted++;
      if (partition.leader !== nodeId) continue;
      counts.led++;
      if (partition.isr.length < partition.replicas.length) counts.underReplicated++;
    }
  }
  return counts;
}

function offlinePartitions(image: MetadataImage): number {
  let offline = 0;
  for (const topic of image.topicsByName.values()) for (const partition of topic.partitions) if (partition.leader < 0) offline++;
  return offline;
}

function partitionCount(image: MetadataImage): number {
  let count = 0;
  for (const topic of image.topicsByName.values()) count += topic.partitions.length;
  return count;
}

/** Whether a decoded Fetch request came from a follower replica (replica id in the body up to v14, in ReplicaState from v15). */
function fromFollower(request: unknown): boolean {
  const fetch = request as { replicaId?: number; replicaState?: { replicaId?: number } } | null;
  return (fetch?.replicaId ?? -1) >= 0 || (fetch?.replicaState?.replicaId ?? -1) >= 0;
}
