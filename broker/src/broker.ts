import path from "node:path";
import { unusedBrokerProperties, withDynamicConfigs, type BrokerConfig } from "./config/broker-config";
import { Dispatcher } from "./handlers/dispatcher";
import type { ApiHandler } from "./handlers/handler";
import type { NodeServices } from "./handlers/node-services";
import { ALL_HANDLERS } from "./handlers";
import { GroupCoordinator } from "./coordinator/group-coordinator";
import { OffsetsLog } from "./coordinator/offsets-log";
import { Controller } from "./metadata/controller";
import type { BrokerRegistration, MetadataImage, TopicState } from "./metadata/image";
import { ensureMetaProperties } from "./metadata/meta-properties";
import { MetadataStore } from "./metadata/metadata-store";
import type { MetadataRecord } from "./metadata/records";
import type { ListenerSasl } from "./net/sasl/sasl-session";
import { SaslUserStore } from "./net/sasl/user-store";
import { SocketServer } from "./net/socket-server";
import { KafkaError } from "./protocol/errors";
import { ProducerIdManager } from "./producer/producer-id-manager";
import { ProducerStates } from "./producer/producer-states";
import { ReplicaManager } from "./replication/replica-manager";
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
 * socket server, the request handlers, the metadata store and the logs.
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
  metadata!: MetadataStore;
  controller!: Controller;
  logs!: LogManager;
  replicas!: ReplicaManager;
  offsetsLog!: OffsetsLog;
  groups!: GroupCoordinator;
  producers!: ProducerStates;
  producerIds!: ProducerIdManager;
  private socketServer!: SocketServer;
  private stopping = false;
  private readonly unusedConfigsLogged = new Set<string>();
  private readyResolve!: () => void;
  /** Set once start-up has loaded every log; requests that arrive before then wait for `ready`. */
  private serving = false;
  /** Resolves once metadata and logs are loaded; requests that arrive earlier wait for it. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  private constructor(
    public config: BrokerConfig,
    private readonly deps: BrokerDeps,
  ) {
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

  get image(): MetadataImage {
    return this.metadata.image;
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
    this.metadata = MetadataStore.open({
      dir: path.join(config.logDirs[0], METADATA_DIR_NAME),
      clusterId,
      nodeId: config.nodeId,
      brokers: new Map([[self.nodeId, self]]),
      fs: this.fs,
      clock: this.clock,
      logger,
    });
    this.config = withDynamicConfigs(config, Object.fromEntries(this.image.brokerConfigs.get(String(config.nodeId)) ?? []));
    this.logUnusedConfigs("broker", unusedBrokerProperties(this.config));
    this.controller = new Controller(this.metadata, () => this.config, this.random);
    this.logs = new LogManager(config.logDirs, { fs: this.fs, clock: this.clock, scheduler: this.scheduler, random: this.random, logger: (msg, fields, level = "info") => logger[level](msg, fields) });
    this.producers = new ProducerStates({ fs: this.fs, logger: (msg, fields) => logger.info(msg, fields) });
    this.producerIds = new ProducerIdManager(this.metadata, config.nodeId);
    this.replicas = new ReplicaManager(this.image, this.logs, () => this.config, this.clock, this.scheduler, this.producers, (names) =>
      this.logUnusedConfigs("topic", names),
    );
    // Sliced, so that recovering many partitions does not hold the event loop for the whole start-up.
    await this.logs.loadAllSliced({ exclude: [METADATA_DIR_NAME], configFor: (topic) => this.replicas.logConfigFor(topic) });
    this.removeStrayLogs();
    // Partitions whose logs a crash kept from being made when they were created; then every new one, as it commits.
    this.createPartitionLogs([...this.image.topicsByName.values()].flatMap((topic) => topic.partitions.map((state) => ({ topic, ...state }))));
    this.metadata.onCommitted((records) => this.createPartitionLogs(this.partitionsIn(records)));
    // Loaded now rather than on the first produce, so that a replay after a crash does not stall a request.
    for (const log of this.logs.all()) {
      try {
        this.producers.forLog(log);
      } catch (error) {
        // The partition still serves reads; its first idempotent produce retries the load and reports the failure.
        logger.error("loading producer state failed", { dir: log.dir, error });
      }
    }
    this.startGroupCoordinator();
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

  /**
   * Makes the logs of the partitions this node leads when they are created,
   * as Kafka does, rather than on their first produce. A failure leaves the
   * partition to get its log on first use, where the client hears of it.
   */
  private createPartitionLogs(partitions: ReadonlyArray<{ topic: TopicState; partition: number; leader: number }>): void {
    const wanted = partitions
      .filter(({ leader }) => leader === this.nodeId)
      .map(({ topic, partition }) => ({ topic: topic.name, partition, config: this.replicas.logConfigFor(topic.name) }));
    if (wanted.length === 0) return;
    try {
      this.logs.createMissing(wanted);
    } catch (error) {
      this.logger.error("creating partition logs failed; they are made on first use instead", { partitions: wanted.length, error });
    }
  }

  private partitionsIn(records: readonly MetadataRecord[]): Array<{ topic: TopicState; partition: number; leader: number }> {
    const partitions = [];
    for (const record of records) {
      if (record.type !== "PartitionRecord") continue;
      const topic = this.image.topicsById.get(record.topicId);
      if (topic) partitions.push({ topic, partition: record.partition, leader: record.leader });
    }
    return partitions;
  }

  /** Partition directories of topics the metadata no longer has (a delete interrupted by a crash). */
  private removeStrayLogs(): void {
    const stray = new Set<string>();
    for (const log of this.logs.all()) {
      const topic = this.image.topic(log.topic);
      if (!topic || log.partition >= topic.partitions.length) stray.add(log.topic);
    }
    for (const topic of stray) {
      this.logger.warn("deleting logs of a topic missing from the metadata", { topic });
      this.logs.delete(topic);
    }
  }

  /** Creates a topic with the broker defaults when auto.create.topics.enable allows it. */
  autoCreateTopic(name: string): boolean {
    if (!this.config.autoCreateTopicsEnable) return false;
    try {
      this.controller.createTopic(
        { name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: {} },
        { validateOnly: false },
      );
      this.logger.info("auto-created topic", { topic: name });
      return true;
    } catch (error) {
      if (error instanceof KafkaError) return false;
      throw error;
    }
  }

  /** Replaces this node's dynamic configs; topic defaults that follow them change at once. */
  replaceDynamicConfigs(next: Record<string, string>, options: { validateOnly: boolean }): void {
    const updated = this.controller.replaceBrokerConfigs(String(this.nodeId), next, options);
    if (options.validateOnly) return;
    this.config = updated;
    this.logUnusedConfigs("broker", unusedBrokerProperties(updated));
    this.replicas.brokerConfigChanged();
  }

  /** Says once per name that a Kafka config was accepted but this broker does not act on it. */
  logUnusedConfigs(kind: "broker" | "topic", names: readonly string[]): void {
    for (const name of names) {
      if (this.unusedConfigsLogged.has(`${kind}:${name}`)) continue;
      this.unusedConfigsLogged.add(`${kind}:${name}`);
      this.logger.warn("config accepted and unused", { kind, config: name });
    }
  }

  deleteTopic(name: string): void {
    this.controller.deleteTopic(name);
    this.replicas.topicDeleted(name);
    this.groups.topicDeleted(name);
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
    this.producers?.snapshotAll(this.clock.nowMs());
    this.logs?.closeAll();
    this.metadata?.close();
    this.logger.info("shut down");
  }
}
