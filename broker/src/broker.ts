import path from "node:path";
import { unusedBrokerProperties, withDynamicConfigs, type BrokerConfig } from "./config/broker-config";
import { Dispatcher } from "./handlers/dispatcher";
import type { ApiHandler } from "./handlers/handler";
import type { NodeServices } from "./handlers/node-services";
import { ALL_HANDLERS } from "./handlers";
import { GroupCoordinator } from "./coordinator/group-coordinator";
import { OffsetsLog } from "./coordinator/offsets-log";
import { Controller } from "./metadata/controller";
import { MetadataImage, type BrokerRegistration } from "./metadata/image";
import { MetadataLoader } from "./metadata/loader";
import { ensureMetaProperties } from "./metadata/meta-properties";
import { LocalMetadataLog } from "./metadata/metadata-log";
import { BrokerConfigsPublisher } from "./metadata/publishers/broker-configs-publisher";
import { GroupsPublisher } from "./metadata/publishers/groups-publisher";
import { PartitionsPublisher } from "./metadata/publishers/partitions-publisher";
import { ProducerIdsPublisher } from "./metadata/publishers/producer-ids-publisher";
import type { ListenerSasl } from "./net/sasl/sasl-session";
import { SaslUserStore } from "./net/sasl/user-store";
import { SocketServer } from "./net/socket-server";
import { ProducerIdManager } from "./producer/producer-id-manager";
import { PartitionRegistry } from "./partition/partition-registry";
import { ProduceFetchPath } from "./partition/produce-fetch-path";
import { systemClock, type Clock } from "./runtime/clock";
import { secureRandomBytes, type RandomBytes } from "./runtime/random";
import { nodeFileSystem, type FileSystem } from "./runtime/fs";
import { createLogger, type Logger } from "./runtime/logger";
import type { Network } from "./runtime/network";
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
}

const METADATA_DIR_NAME = "__cluster_metadata-0";
/** Kafka's log.cleaner.backoff.ms: how often the cleaner looks for compacted logs to clean. */
const LOG_CLEANER_BACKOFF_MS = 15_000;

/**
 * One broker node: a cluster of one today, with the node id, listeners and
 * metadata image that a multi-node cluster needs tomorrow. It wires the
 * socket server, the request handlers, the metadata log and loader, and the
 * logs. It drives no metadata effect itself: requests propose records to the
 * controller, and the loader's publishers (installed here, in a fixed
 * order) carry out what commits.
 */
export class Broker implements NodeServices {
  readonly handlers: ReadonlyMap<number, ApiHandler>;
  /** Bugs contained by closing a connection or abandoning a timer task, counted. */
  readonly unexpectedErrors = new UnexpectedErrors();
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly random: RandomBytes;
  metadataLog!: LocalMetadataLog;
  /** Holds the committed image and tells the publishers of each change. */
  loader!: MetadataLoader;
  controller!: Controller;
  logs!: LogManager;
  /** The produce and fetch path over the partitions this node hosts. */
  replicas!: ProduceFetchPath;
  offsetsLog!: OffsetsLog;
  groups!: GroupCoordinator;
  producerIds!: ProducerIdManager;
  private socketServer!: SocketServer;
  private stopping = false;
  private readonly unusedConfigsLogged = new Set<string>();
  private readyResolve!: () => void;
  /** Set once start-up has loaded every log; requests that arrive before then wait for `ready`. */
  private serving = false;
  /** Resolves once metadata and logs are loaded; requests that arrive earlier wait for it. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  /** Static config with this node's committed dynamic configs on it (the broker-configs publisher keeps it so). */
  private effectiveConfig: BrokerConfig;

  private constructor(
    config: BrokerConfig,
    private readonly deps: BrokerDeps,
  ) {
    this.effectiveConfig = config;
    this.fs = deps.fs ?? nodeFileSystem;
    this.clock = deps.clock ?? systemClock;
    this.handlers = new Map((deps.handlers ?? ALL_HANDLERS).map((handler) => [handler.apiKey, handler]));
    this.scheduler = containedScheduler(deps.scheduler ?? { clock: this.clock, schedule: systemScheduler.schedule }, (error) => {
      this.unexpectedErrors.record("timer");
      this.logger.error("scheduled task failed", { error });
    });
    this.logger = deps.logger ?? createLogger({ base: { node: config.nodeId } });
    this.random = deps.random ?? secureRandomBytes;
  }

  static async start(config: BrokerConfig, deps: BrokerDeps = {}): Promise<Broker> {
    const broker = new Broker(config, deps);
    await broker.startup();
    return broker;
  }

  get config(): BrokerConfig {
    return this.effectiveConfig;
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

  private async startup(): Promise<void> {
    const { config, logger } = this;
    const dispatcher = new Dispatcher(this.handlers, this, logger, this.unexpectedErrors);
    this.socketServer = new SocketServer(
      {
        dispatch: (frame, connection) =>
          this.serving ? dispatcher.dispatch(frame, connection) : this.ready.then(() => dispatcher.dispatch(frame, connection)),
        unexpectedError: (error, connection, fields) => dispatcher.unexpectedError(error, connection, fields),
      },
      { frameBytesMax: config.socketRequestMaxBytes, queuedRequestsMax: config.queuedMaxRequests, idleMsMax: config.connectionsMaxIdleMs },
      logger,
      this.scheduler,
      {
        // Read at each accept: AlterConfigs changes to these apply to the next connection, as in Kafka.
        quotas: () => ({
          maxConnections: this.config.maxConnections,
          maxConnectionsPerIp: this.config.maxConnectionsPerIp,
          maxConnectionsPerIpOverrides: this.config.maxConnectionsPerIpOverrides,
          listenerMaxConnections: this.config.listenerMaxConnections,
          interBrokerListenerName: this.config.interBrokerListenerName,
        }),
        requestMemoryBytesMax: config.queuedMaxRequestBytes,
        network: this.deps.network,
      },
    );
    await this.socketServer.listen(config.listeners.map((listener) => ({ ...listener, sasl: this.listenerSasl(listener.name) })));

    const clusterId = ensureMetaProperties(this.fs, config.logDirs, config.nodeId, this.random);
    const self: BrokerRegistration = {
      nodeId: config.nodeId,
      rack: config.brokerRack,
      endpoints: new Map(
        config.advertisedListeners.map((listener) => [
          listener.name,
          { host: listener.host || "localhost", port: listener.port === 0 ? this.boundPort(listener.name) : listener.port },
        ]),
      ),
    };
    this.metadataLog = LocalMetadataLog.open({ dir: path.join(config.logDirs[0], METADATA_DIR_NAME), fs: this.fs, clock: this.clock, logger });
    this.loader = new MetadataLoader(MetadataImage.empty(clusterId, config.nodeId, new Map([[self.nodeId, self]])), logger, () =>
      this.unexpectedErrors.record("metadata-publisher"),
    );
    this.loader.follow(this.metadataLog);
    // The publishers in their fixed order: the node's config first, since partitions resolve topic defaults from it.
    this.loader.install(new BrokerConfigsPublisher(config.nodeId, (dynamic) => this.dynamicConfigsCommitted(dynamic)));
    this.controller = new Controller(this.metadataLog, () => this.image, () => this.config, this.random, logger);
    this.logs = new LogManager(config.logDirs, { fs: this.fs, clock: this.clock, scheduler: this.scheduler, random: this.random, logger: (msg, fields, level = "info") => logger[level](msg, fields) });
    this.producerIds = new ProducerIdManager(
      () => this.controller.allocateProducerIds(this.nodeId),
      () => this.image,
    );
    const partitions = new PartitionRegistry({
      image: () => this.image,
      logs: this.logs,
      brokerConfig: () => this.config,
      nodeId: config.nodeId,
      producerState: { fs: this.fs, logger: (msg, fields) => logger.info(msg, fields) },
      unusedTopicConfigs: (names) => this.logUnusedConfigs("topic", names),
    });
    this.replicas = new ProduceFetchPath(partitions, this.clock, this.scheduler);
    // Sliced, so that recovering many partitions does not hold the event loop for the whole start-up.
    await this.logs.loadAllSliced({ exclude: [METADATA_DIR_NAME], configFor: (topic) => this.replicas.logConfigFor(topic) });
    // Its first update removes logs of topics deleted before a crash and makes logs a crash kept from being made.
    this.loader.install(new PartitionsPublisher(config.nodeId, this.replicas, this.logs, logger));
    // Loaded now rather than on the first produce, so that a replay after a crash does not stall a request.
    this.replicas.loadProducerStates((partition, error) => logger.error("loading producer state failed", { dir: partition.log.dir, error }));
    this.startGroupCoordinator();
    this.loader.install(new GroupsPublisher(this.groups));
    this.loader.install(new ProducerIdsPublisher(config.nodeId, this.producerIds));
    this.logs.startBackgroundTasks({
      retentionCheckIntervalMs: config.logRetentionCheckIntervalMs,
      flushSchedulerIntervalMs: Math.min(config.logFlushSchedulerIntervalMs, 1000),
      cleanerIntervalMs: config.logCleanerEnable ? LOG_CLEANER_BACKOFF_MS : undefined,
    });
    this.serving = true;
    this.readyResolve();
    const endpoints = Object.fromEntries([...self.endpoints].map(([name, { host, port }]) => [name, `${host}:${port}`]));
    logger.info("broker started", { clusterId, endpoints, logDirs: config.logDirs });
  }

  /** The SASL setup of a SASL_PLAINTEXT listener (SCRAM credentials derived now), or undefined for a PLAINTEXT one. */
  listenerSasl(listenerName: string): ListenerSasl | undefined {
    const sasl = this.config.listenerSasl.get(listenerName);
    if (!sasl) return undefined;
    return {
      listenerName,
      mechanisms: sasl.mechanisms,
      users: new SaslUserStore(sasl.users, this.random),
      random: this.random,
      receiveBytesMax: this.config.saslServerMaxReceiveSize,
      logger: this.logger,
    };
  }

  /** The group coordinator, with the groups and offsets of the __consumer_offsets partitions this node leads. */
  private startGroupCoordinator(): void {
    this.offsetsLog = new OffsetsLog({
      image: () => this.image,
      controller: () => this.controller,
      replicas: () => this.replicas,
      config: () => this.config,
      clock: this.clock,
      nodeId: this.nodeId,
      onUndecodable: (partition, offset, error) =>
        this.logger.warn("skipping an undecodable __consumer_offsets record", { partition, offset, error: error.message }),
    });
    this.groups = new GroupCoordinator(
      this.offsetsLog,
      this.scheduler,
      () => ({
        groupInitialRebalanceDelayMs: this.config.groupInitialRebalanceDelayMs,
        groupMinSessionTimeoutMs: this.config.groupMinSessionTimeoutMs,
        groupMaxSessionTimeoutMs: this.config.groupMaxSessionTimeoutMs,
        offsetsRetentionMs: this.config.offsetsRetentionMinutes * 60_000,
      }),
      this.logger,
      (topic, partition) => {
        const state = this.image.topic(topic);
        return state !== undefined && partition >= 0 && partition < state.partitions.length;
      },
      this.random,
    );
    this.groups.load();
  }

  /** This node's dynamic configs as committed: the node's effective config becomes its static one with these on it. */
  private dynamicConfigsCommitted(dynamic: Record<string, string>): void {
    this.effectiveConfig = withDynamicConfigs(this.effectiveConfig, dynamic);
    this.logUnusedConfigs("broker", unusedBrokerProperties(this.effectiveConfig));
  }

  /** Says once per name that a Kafka config was accepted but this broker does not act on it. */
  logUnusedConfigs(kind: "broker" | "topic", names: readonly string[]): void {
    for (const name of names) {
      if (this.unusedConfigsLogged.has(`${kind}:${name}`)) continue;
      this.unusedConfigsLogged.add(`${kind}:${name}`);
      this.logger.warn("config accepted and unused", { kind, config: name });
    }
  }

  /** Graceful stop: no new connections, in-flight requests finish, logs are flushed and closed. */
  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info("shutting down");
    this.replicas?.wakeAll();
    // Waiting JoinGroup/SyncGroup requests get NOT_COORDINATOR now, so draining connections does not wait on rebalances.
    this.groups?.shutdown();
    await this.socketServer.close();
    this.logs?.stop();
    this.replicas?.snapshotProducerStates(this.clock.nowMs());
    this.logs?.closeAll();
    this.metadataLog?.close();
    this.logger.info("shut down");
  }
}
