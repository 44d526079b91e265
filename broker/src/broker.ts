import path from "node:path";
import { effectiveBrokerValue, parseMetricsListener, unusedBrokerProperties, withDynamicConfigs, type BrokerConfig } from "./config/broker-config";
import { Dispatcher, reportUnexpectedError } from "./handlers/dispatcher";
import type { ApiHandler } from "./handlers/handler";
import type { NodeServices } from "./handlers/node-services";
import { ALL_HANDLERS } from "./handlers";
import { GroupCoordinator } from "./coordinator/group-coordinator";
import { OffsetsLog } from "./coordinator/offsets-log";
import { Controller } from "./metadata/controller";
import { MetadataImage, type BrokerRegistration } from "./metadata/image";
import { MetadataLoader } from "./metadata/loader";
import { ensureMetaProperties, StorageFormatError } from "./metadata/meta-properties";
import { LocalMetadataLog, type MetadataLog } from "./metadata/metadata-log";
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from "./metadata/records";
import { MetadataQuorum } from "./raft/quorum";
import { BrokerHeartbeats } from "./metadata/broker-heartbeats";
import { BrokerLifecycle } from "./metadata/broker-lifecycle";
import { remoteController } from "./metadata/remote-controller";
import { ApiKey } from "./protocol/generated/api-messages";
import type { BrokerHeartbeatRequest, BrokerRegistrationRequest } from "./protocol/generated";
import { BrokerConfigsPublisher } from "./metadata/publishers/broker-configs-publisher";
import { GroupsPublisher } from "./metadata/publishers/groups-publisher";
import { PartitionsPublisher } from "./metadata/publishers/partitions-publisher";
import { ProducerIdsPublisher } from "./metadata/publishers/producer-ids-publisher";
import type { ListenerSasl } from "./net/sasl/sasl-session";
import { SaslUserStore } from "./net/sasl/user-store";
import type { ConnectionInfo, DispatchResult, RequestDispatcher } from "./net/connection";
import { SocketServer } from "./net/socket-server";
import { ProducerIdManager } from "./producer/producer-id-manager";
import { PartitionRegistry } from "./partition/partition-registry";
import { ProduceFetchPath } from "./partition/produce-fetch-path";
import { MetricsEndpoint } from "./metrics/http-endpoint";
import { BROKER_STATE_SHUTTING_DOWN, NodeMetrics, quorumViewOf, type QuorumView } from "./metrics/node-metrics";
import { monotonicClock, systemClock, type Clock } from "./runtime/clock";
import { startEventLoopDelayMonitor, type EventLoopDelayMonitor } from "./runtime/event-loop";
import { secureRandomBytes, type RandomBytes } from "./runtime/random";
import { nodeFileSystem, type FileSystem } from "./runtime/fs";
import { createLogger, type Logger } from "./runtime/logger";
import { nodeNetwork, type Network } from "./runtime/network";
import { containedScheduler, systemScheduler, type Scheduler } from "./runtime/scheduler";
import { UnexpectedErrors } from "./runtime/unexpected-errors";
import { LogManager } from "./storage/log-manager";

export interface BrokerDeps {
  fs?: FileSystem;
  clock?: Clock;
  /** Timers of the group coordinator; defaults to real timers over `clock`. */
  scheduler?: Scheduler;
  logger?: Logger;
  /** SCRAM salts and nonces. */
  random?: RandomBytes;
  /** The APIs served; tests substitute faulty handlers. */
  handlers?: readonly ApiHandler[];
  /** Where listeners bind; the simulator gives an in-memory network. */
  network?: Network;
  /** What request durations are measured by; `clock` when that is given, else a monotonic clock. */
  durationClock?: Clock;
  /** The event-loop delay the metrics report; by default a real monitor when metrics.listener is set, else none. */
  eventLoopDelay?: EventLoopDelayMonitor | null;
}

const METADATA_DIR_NAME = "__cluster_metadata-0";
/** Kafka's log.cleaner.backoff.ms: how often the cleaner looks for compacted logs to clean. */
const LOG_CLEANER_BACKOFF_MS = 15_000;

/** The effects of one node: the real ones unless the caller (a test, the simulator) gives its own. */
interface NodeSeams {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly random: RandomBytes;
  readonly network: Network;
  readonly durationClock: Clock;
  readonly eventLoopDelay: EventLoopDelayMonitor | null;
}

/** Every part of one node, each built before the node holds it. */
interface NodeParts extends NodeSeams {
  readonly handlers: ReadonlyMap<number, ApiHandler>;
  readonly unexpectedErrors: UnexpectedErrors;
  readonly configs: NodeConfigs;
  readonly socketServer: SocketServer;
  readonly metadataLog: MetadataLog;
  /** The metadata quorum, when controller.quorum.voters names one; the metadata log is then its log. */
  readonly quorum: MetadataQuorum<MetadataRecord> | null;
  /** The active controller's registrations and heartbeats (a node of a quorum), and this broker's own registration. */
  readonly brokerHeartbeats: BrokerHeartbeats | null;
  readonly lifecycle: BrokerLifecycle | null;
  readonly loader: MetadataLoader;
  readonly controller: Controller;
  readonly logs: LogManager;
  readonly produceFetch: ProduceFetchPath;
  readonly offsetsLog: OffsetsLog;
  readonly groups: GroupCoordinator;
  readonly producerIds: ProducerIdManager;
  readonly metrics: NodeMetrics;
}

/**
 * One broker node: a cluster of one today, with the node id, listeners and
 * metadata image that a multi-node cluster needs tomorrow. `start` is the
 * composition root: it picks the seams, builds the socket server, the
 * metadata log and loader, the logs and the coordinators in order, and hands
 * them, all built, to the node. It drives no metadata effect itself:
 * requests propose records to the controller, and the loader's publishers
 * (installed in a fixed order) carry out what commits.
 */
export class Broker implements NodeServices {
  readonly handlers: ReadonlyMap<number, ApiHandler>;
  /** Bugs contained by closing a connection or abandoning a timer task, counted. */
  readonly unexpectedErrors: UnexpectedErrors;
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly random: RandomBytes;
  readonly metadataLog: MetadataLog;
  readonly quorum: MetadataQuorum<MetadataRecord> | null;
  readonly brokerHeartbeats: BrokerHeartbeats | null;
  private readonly lifecycle: BrokerLifecycle | null;
  /** Holds the committed image and tells the publishers of each change. */
  readonly loader: MetadataLoader;
  readonly controller: Controller;
  readonly logs: LogManager;
  /** The produce and fetch path over the partitions this node hosts. */
  readonly produceFetch: ProduceFetchPath;
  readonly offsetsLog: OffsetsLog;
  readonly groups: GroupCoordinator;
  readonly producerIds: ProducerIdManager;
  /** Kafka's metrics under the JMX exporter's names; served on metrics.listener when that is set. */
  readonly metrics: NodeMetrics;
  private metricsEndpoint: MetricsEndpoint | null = null;
  private readonly eventLoopDelay: EventLoopDelayMonitor | null;
  private readonly network: Network;
  private readonly socketServer: SocketServer;
  private readonly configs: NodeConfigs;
  private stopping = false;

  private constructor(parts: NodeParts) {
    this.handlers = parts.handlers;
    this.unexpectedErrors = parts.unexpectedErrors;
    this.fs = parts.fs;
    this.clock = parts.clock;
    this.logger = parts.logger;
    this.scheduler = parts.scheduler;
    this.random = parts.random;
    this.configs = parts.configs;
    this.socketServer = parts.socketServer;
    this.metadataLog = parts.metadataLog;
    this.quorum = parts.quorum;
    this.brokerHeartbeats = parts.brokerHeartbeats;
    this.lifecycle = parts.lifecycle;
    this.loader = parts.loader;
    this.controller = parts.controller;
    this.logs = parts.logs;
    this.produceFetch = parts.produceFetch;
    this.offsetsLog = parts.offsetsLog;
    this.groups = parts.groups;
    this.producerIds = parts.producerIds;
    this.metrics = parts.metrics;
    this.eventLoopDelay = parts.eventLoopDelay;
    this.network = parts.network;
  }

  /**
   * Builds and starts one node. Its listeners are bound first (the image
   * registers the ports bound); requests that arrive while the logs load wait
   * until the node is built.
   */
  static async start(config: BrokerConfig, deps: BrokerDeps = {}): Promise<Broker> {
    const unexpectedErrors = new UnexpectedErrors();
    const seams = nodeSeams(config, deps, unexpectedErrors);
    const { logger } = seams;
    const handlers = new Map((deps.handlers ?? ALL_HANDLERS).map((handler) => [handler.apiKey, handler]));
    const configs = new NodeConfigs(config, logger);
    const requests = new RequestsWhileStarting(logger, unexpectedErrors);
    const socketServer = startSocketServer(config, configs, seams, requests);
    let parts: NodeParts;
    try {
      await socketServer.listen(config.listeners.map((listener) => ({ ...listener, sasl: listenerSasl(config, listener.name, seams) })));
      parts = await buildNode(config, { ...seams, handlers, unexpectedErrors, configs, socketServer });
    } catch (error) {
      await socketServer.close();
      seams.eventLoopDelay?.stop();
      throw error;
    }
    const broker = new Broker(parts);
    requests.serve(new Dispatcher(handlers, broker, logger, unexpectedErrors, parts.metrics));
    try {
      await broker.startMetricsEndpoint();
    } catch (error) {
      await broker.shutdown();
      throw error;
    }
    return broker;
  }

  /** The port metrics.listener bound (useful when it asked for port 0); null when it is unset. */
  get metricsPort(): number | null {
    return this.metricsEndpoint?.port ?? null;
  }

  private async startMetricsEndpoint(): Promise<void> {
    const listener = this.config.metricsListener;
    if (listener === null) return;
    const address = parseMetricsListener(listener);
    // The config validated it.
    if ("error" in address) throw new Error(address.error);
    this.metricsEndpoint = await MetricsEndpoint.listen({
      ...address,
      network: this.network,
      scheduler: this.scheduler,
      logger: this.logger,
      render: () => this.metrics.render(),
    });
    this.logger.info("metrics listening", { host: address.host ?? "0.0.0.0", port: this.metricsEndpoint.port, path: "/metrics" });
  }

  get config(): BrokerConfig {
    return this.configs.current;
  }

  /** The latest committed metadata; a reference held stays as it was. */
  get image(): MetadataImage {
    return this.loader.image;
  }

  get nodeId(): number {
    return this.config.nodeId;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Listeners, connection counts and limits, and the request memory pool. */
  get sockets(): SocketServer {
    return this.socketServer;
  }

  /** The port bound for a listener (useful when the config asked for port 0). */
  boundPort(listenerName = this.config.listeners[0].name): number {
    return this.socketServer.boundPorts.get(listenerName)!;
  }

  /** The SASL setup of a SASL_PLAINTEXT listener (SCRAM credentials derived now), or undefined for a PLAINTEXT one. */
  listenerSasl(listenerName: string): ListenerSasl | undefined {
    return listenerSasl(this.config, listenerName, this);
  }

  /** Says once per name that a Kafka config was accepted but this broker does not act on it. */
  logUnusedConfigs(kind: "broker" | "topic", names: readonly string[]): void {
    this.configs.logUnused(kind, names);
  }

  /** Graceful stop: no new connections, in-flight requests finish, logs are flushed and closed. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.metrics.brokerState = BROKER_STATE_SHUTTING_DOWN;
    this.logger.info("shutting down");
    await this.metricsEndpoint?.close();
    this.eventLoopDelay?.stop();
    this.produceFetch.wakeAll();
    // Waiting JoinGroup/SyncGroup requests get NOT_COORDINATOR now, so draining connections does not wait on rebalances.
    this.groups.shutdown();
    // Controlled shutdown: fenced first (no new partitions, not listed to clients), then a leader of the quorum
    // resigns before its listeners close, so that the voters elect another at once.
    await this.lifecycle?.shutDown();
    this.brokerHeartbeats?.stop();
    this.quorum?.stop();
    await this.socketServer.close();
    this.logs.stop();
    this.produceFetch.snapshotProducerStates(this.clock.nowMs());
    this.logs.closeAll();
    if (this.metadataLog instanceof LocalMetadataLog) this.metadataLog.close();
    this.logger.info("shut down");
  }
}

/** The seams given, and the real disk, clock, timers, randomness and network for those not given. */
function nodeSeams(config: BrokerConfig, deps: BrokerDeps, unexpectedErrors: UnexpectedErrors): NodeSeams {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ base: { node: config.nodeId } });
  const scheduler = containedScheduler(deps.scheduler ?? { clock, schedule: systemScheduler.schedule }, (error) => {
    unexpectedErrors.record("timer");
    logger.error("scheduled task failed", { error });
  });
  return {
    fs: deps.fs ?? nodeFileSystem,
    clock,
    scheduler,
    logger,
    random: deps.random ?? secureRandomBytes,
    network: deps.network ?? nodeNetwork,
    durationClock: deps.durationClock ?? (deps.clock ? clock : monotonicClock),
    eventLoopDelay: deps.eventLoopDelay !== undefined ? deps.eventLoopDelay : config.metricsListener !== null ? startEventLoopDelayMonitor() : null,
  };
}

/** The SASL setup of a SASL_PLAINTEXT listener (SCRAM credentials derived now), or undefined for a PLAINTEXT one. */
function listenerSasl(config: BrokerConfig, listenerName: string, seams: Pick<NodeSeams, "random" | "logger">): ListenerSasl | undefined {
  const sasl = config.listenerSasl.get(listenerName);
  if (!sasl) return undefined;
  return {
    listenerName,
    mechanisms: sasl.mechanisms,
    users: new SaslUserStore(sasl.users, seams.random),
    random: seams.random,
    receiveBytesMax: config.saslServerMaxReceiveSize,
    logger: seams.logger,
  };
}

function startSocketServer(config: BrokerConfig, configs: NodeConfigs, seams: NodeSeams, requests: RequestDispatcher): SocketServer {
  return new SocketServer(
    requests,
    { frameBytesMax: config.socketRequestMaxBytes, queuedRequestsMax: config.queuedMaxRequests, idleMsMax: config.connectionsMaxIdleMs },
    seams.logger,
    seams.scheduler,
    {
      // Read at each accept: AlterConfigs changes to these apply to the next connection, as in Kafka.
      quotas: () => {
        const current = configs.current;
        return {
          maxConnections: current.maxConnections,
          maxConnectionsPerIp: current.maxConnectionsPerIp,
          maxConnectionsPerIpOverrides: current.maxConnectionsPerIpOverrides,
          listenerMaxConnections: current.listenerMaxConnections,
          interBrokerListenerName: current.interBrokerListenerName,
        };
      },
      requestMemoryBytesMax: config.queuedMaxRequestBytes,
      network: seams.network,
    },
  );
}

/**
 * Builds the node's parts below the socket server, in order: metadata log and
 * loader, controller, logs (loaded), partitions, group coordinator, and the
 * publishers that carry committed metadata to them.
 */
async function buildNode(
  config: BrokerConfig,
  built: NodeSeams & Pick<NodeParts, "handlers" | "unexpectedErrors" | "configs" | "socketServer">,
): Promise<NodeParts> {
  const { fs, clock, scheduler, logger, random, configs, socketServer } = built;
  // A node of a quorum takes the cluster id the storage was formatted with; a cluster of one makes its own.
  const clusterId = ensureMetaProperties(fs, config.logDirs, config.nodeId, random, { formatMissing: config.quorum === null });
  const self: BrokerRegistration = {
    nodeId: config.nodeId,
    rack: config.brokerRack,
    endpoints: new Map(
      config.advertisedListeners.map((listener) => [
        listener.name,
        { host: listener.host || "localhost", port: listener.port === 0 ? socketServer.boundPorts.get(listener.name)! : listener.port },
      ]),
    ),
  };
  const metadataDir = path.join(config.logDirs[0], METADATA_DIR_NAME);
  const quorum = config.quorum ? openQuorum(config, clusterId, metadataDir, built) : null;
  const metadataLog: MetadataLog = quorum?.metadataLog ?? LocalMetadataLog.open({ dir: metadataDir, fs, clock, scheduler, random, logger });
  const loader = new MetadataLoader(MetadataImage.empty(clusterId, config.nodeId, new Map([[self.nodeId, self]])), logger, () =>
    built.unexpectedErrors.record("metadata-publisher"),
  );
  const image = () => loader.image;
  const brokerConfig = () => configs.current;
  const metrics = new NodeMetrics(
    {
      nodeId: config.nodeId,
      isController: (effectiveBrokerValue(config, "process.roles") ?? "").split(",").includes("controller"),
      image,
      // A cluster of one is its own active controller and leads its own metadata log.
      isActiveController: () => quorum?.isActiveController ?? true,
      quorum: (): QuorumView => {
        if (quorum) return quorumViewOf(quorum.node);
        const end = metadataLog.endOffset;
        return { state: "leader", leaderId: config.nodeId, epoch: 0, votedFor: config.nodeId, highWatermark: end, logEndOffset: end };
      },
      connectionsByListener: () => socketServer.quotas.byListenerName(),
      eventLoopDelay: built.eventLoopDelay,
    },
    () => built.durationClock.nowMs(),
    built.handlers.keys(),
  );
  loader.follow(metadataLog);
  // The publishers in their fixed order: the node's config first, since partitions resolve topic defaults from it.
  loader.install(new BrokerConfigsPublisher(config.nodeId, (dynamic) => configs.dynamicConfigsCommitted(dynamic)));
  const controller = new Controller(metadataLog, image, brokerConfig, random, logger);
  if (quorum) controller.forwardWhenStandby(remoteController(quorum, image, scheduler, config.quorumRequestTimeoutMs * 5));
  const logs = new LogManager(config.logDirs, { fs, clock, scheduler, random, logger: (msg, fields, level = "info") => logger[level](msg, fields) });
  const producerIds = new ProducerIdManager(async () => void (await controller.allocateProducerIds(config.nodeId)), image);
  const partitions = new PartitionRegistry({
    image,
    logs,
    brokerConfig,
    nodeId: config.nodeId,
    producerState: { fs, logger: (msg, fields) => logger.info(msg, fields) },
    unusedTopicConfigs: (names) => configs.logUnused("topic", names),
    metrics,
  });
  const produceFetch = new ProduceFetchPath(partitions, clock, scheduler);
  // Sliced, so that recovering many partitions does not hold the event loop for the whole start-up.
  await logs.loadAllSliced({ exclude: [METADATA_DIR_NAME], configFor: (topic) => produceFetch.logConfigFor(topic) });
  // Its first update removes logs of topics deleted before a crash and makes logs a crash kept from being made.
  loader.install(new PartitionsPublisher(config.nodeId, produceFetch, logs, logger, quorum === null));
  // Loaded now rather than on the first produce, so that a replay after a crash does not stall a request.
  produceFetch.loadProducerStates((partition, error) => logger.error("loading producer state failed", { dir: partition.log.dir, error }));
  // The group coordinator, with the groups and offsets of the __consumer_offsets partitions this node leads.
  const offsetsLog = new OffsetsLog({
    image,
    controller: () => controller,
    produceFetch: () => produceFetch,
    config: brokerConfig,
    clock,
    nodeId: config.nodeId,
    onUndecodable: (partition, offset, error) => logger.warn("skipping an undecodable __consumer_offsets record", { partition, offset, error: error.message }),
  });
  const groups = new GroupCoordinator(
    offsetsLog,
    scheduler,
    () => {
      const current = configs.current;
      return {
        groupInitialRebalanceDelayMs: current.groupInitialRebalanceDelayMs,
        groupMinSessionTimeoutMs: current.groupMinSessionTimeoutMs,
        groupMaxSessionTimeoutMs: current.groupMaxSessionTimeoutMs,
        offsetsRetentionMs: current.offsetsRetentionMinutes * 60_000,
      };
    },
    logger,
    (topic, partition) => {
      const state = loader.image.topic(topic);
      return state !== undefined && partition >= 0 && partition < state.partitions.length;
    },
    random,
  );
  groups.load();
  loader.install(new GroupsPublisher(groups));
  loader.install(new ProducerIdsPublisher(config.nodeId, producerIds));
  logs.startBackgroundTasks({
    retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
    flushSchedulerIntervalMs: Math.min(config.logFlushSchedulerIntervalMs, 1000),
    cleanerIntervalMs: config.logCleanerEnable ? LOG_CLEANER_BACKOFF_MS : undefined,
  });
  // Last: what the quorum commits from here on reaches every publisher.
  quorum?.start();
  const { brokerHeartbeats, lifecycle } = quorum ? startBrokerRegistration(config, quorum, controller, loader, self, built) : { brokerHeartbeats: null, lifecycle: null };
  const endpoints = Object.fromEntries([...self.endpoints].map(([name, { host, port }]) => [name, `${host}:${port}`]));
  logger.info("broker started", { clusterId, endpoints, logDirs: config.logDirs, quorum: config.quorum ? { voters: config.quorum.voters.map((voter) => voter.id), voter: config.quorum.isVoter } : null });
  return { ...built, metadataLog, quorum, brokerHeartbeats, lifecycle, loader, controller, logs, produceFetch, offsetsLog, groups, producerIds, metrics };
}

/**
 * Broker registration in a quorum: every voter serves registrations and
 * heartbeats while it is the active controller; a node with the broker role
 * registers itself with whichever node is, and heartbeats to it.
 */
function startBrokerRegistration(
  config: BrokerConfig,
  quorum: MetadataQuorum<MetadataRecord>,
  controller: Controller,
  loader: MetadataLoader,
  self: BrokerRegistration,
  seams: NodeSeams & Pick<NodeParts, "configs">,
): { brokerHeartbeats: BrokerHeartbeats | null; lifecycle: BrokerLifecycle | null } {
  const brokerHeartbeats = config.quorum!.isVoter
    ? new BrokerHeartbeats({
        clusterId: quorum.clusterId,
        controller,
        image: () => loader.image,
        isActive: () => quorum.isActiveController,
        sessionTimeoutMs: () => seams.configs.current.brokerSessionTimeoutMs,
        scheduler: seams.scheduler,
        logger: seams.logger,
      })
    : null;
  brokerHeartbeats?.start();
  if (!config.processRoles.includes("broker")) return { brokerHeartbeats, lifecycle: null };
  const protocols: Record<string, number> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };
  const lifecycle = new BrokerLifecycle({
    nodeId: config.nodeId,
    clusterId: quorum.clusterId,
    incarnationId: seams.random(16),
    rack: config.brokerRack,
    endpoints: [...self.endpoints].map(([name, { host, port }]) => ({
      name,
      host,
      port,
      securityProtocol: protocols[config.advertisedListeners.find((listener) => listener.name === name)?.securityProtocol ?? "PLAINTEXT"],
    })),
    metadataOffset: () => loader.image.lastAppliedOffset,
    send: (apiKey, version, body) => {
      const forwarded = quorum.forwardToActiveController(apiKey, version, body, config.quorumRequestTimeoutMs);
      if (forwarded) return forwarded;
      if (!quorum.isActiveController || !brokerHeartbeats) return Promise.reject(new Error("no active controller known"));
      return apiKey === ApiKey.BrokerRegistration ? brokerHeartbeats.register(body as BrokerRegistrationRequest) : brokerHeartbeats.heartbeat(body as BrokerHeartbeatRequest);
    },
    heartbeatIntervalMs: config.brokerHeartbeatIntervalMs,
    scheduler: seams.scheduler,
    logger: seams.logger,
  });
  lifecycle.start();
  return { brokerHeartbeats, lifecycle };
}

/** The metadata quorum of a node whose config names voters; its log lives beside quorum-state in the metadata directory. */
function openQuorum(config: BrokerConfig, clusterId: string, dir: string, seams: NodeSeams): MetadataQuorum<MetadataRecord> {
  const quorumConfig = config.quorum!;
  // A metadata log written as a cluster of one is not a quorum's log: starting a quorum on it would lose it.
  if (seams.fs.existsSync(path.join(dir, "00000000000000000000.log")))
    throw new StorageFormatError(`${dir} holds the metadata log of a cluster of one; a node of a quorum needs its own log.dirs, formatted with format-storage`);
  return new MetadataQuorum<MetadataRecord>({
    nodeId: config.nodeId,
    clusterId,
    voters: quorumConfig.voters,
    dir,
    codec: { encode: (record) => encodeMetadataRecord(record).value, decode: decodeMetadataRecord },
    raft: { electionTimeoutMs: config.quorumElectionTimeoutMs, fetchTimeoutMs: config.quorumFetchTimeoutMs, requestTimeoutMs: config.quorumRequestTimeoutMs },
    fs: seams.fs,
    network: seams.network,
    scheduler: seams.scheduler,
    random: seams.random,
    logger: seams.logger.child({ component: "quorum" }),
  });
}

/** The node's effective config: the static one with this node's committed dynamic configs on it (the broker-configs publisher keeps it so). */
class NodeConfigs {
  private effective: BrokerConfig;
  private readonly unusedLogged = new Set<string>();

  constructor(
    config: BrokerConfig,
    private readonly logger: Logger,
  ) {
    this.effective = config;
  }

  get current(): BrokerConfig {
    return this.effective;
  }

  /** This node's dynamic configs as committed: the effective config becomes the static one with these on it. */
  dynamicConfigsCommitted(dynamic: Record<string, string>): void {
    this.effective = withDynamicConfigs(this.effective, dynamic);
    this.logUnused("broker", unusedBrokerProperties(this.effective));
  }

  /** Says once per name that a Kafka config was accepted but this broker does not act on it. */
  logUnused(kind: "broker" | "topic", names: readonly string[]): void {
    for (const name of names) {
      if (this.unusedLogged.has(`${kind}:${name}`)) continue;
      this.unusedLogged.add(`${kind}:${name}`);
      this.logger.warn("config accepted and unused", { kind, config: name });
    }
  }
}

/**
 * What the socket server dispatches to: requests that arrive while the node
 * is still being built wait for it; once it is, they go straight to its
 * dispatcher.
 */
class RequestsWhileStarting implements RequestDispatcher {
  private dispatcher: Dispatcher | null = null;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly logger: Logger,
    private readonly errors: UnexpectedErrors,
  ) {}

  /** The node is built: waiting requests go to its dispatcher, and so does every request after them. */
  serve(dispatcher: Dispatcher): void {
    this.dispatcher = dispatcher;
    for (const wake of this.waiting.splice(0)) wake();
  }

  dispatch(frame: Buffer, connection: ConnectionInfo): DispatchResult | Promise<DispatchResult> {
    if (this.dispatcher !== null) return this.dispatcher.dispatch(frame, connection);
    return new Promise<void>((wake) => this.waiting.push(wake)).then(() => this.dispatcher!.dispatch(frame, connection));
  }

  unexpectedError(error: unknown, connection: ConnectionInfo, fields: Record<string, unknown>): void {
    reportUnexpectedError(this.logger, this.errors, "connection", error, connection, fields);
  }
}
