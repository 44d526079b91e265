import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { BrokerHeartbeatRequest, BrokerHeartbeatResponse, BrokerRegistrationRequest, BrokerRegistrationResponse } from "../protocol/generated";
import type { Logger } from "../runtime/logger";
import type { Cancel, Scheduler } from "../runtime/scheduler";

/** The version of BrokerRegistration this node sends (v2: log directories; no ZooKeeper migration). */
const REGISTRATION_VERSION = 2;
const HEARTBEAT_VERSION = 0;
/** How long a controlled shutdown waits for the active controller to fence this broker. */
const SHUTDOWN_WAIT_MS = 3000;

/** Sends a request to the active controller (forwarded, or served here when this node is it); rejects when it cannot be sent. */
export type ActiveControllerChannel = (apiKey: number, version: number, body: unknown) => Promise<unknown>;

/**
 * A broker's side of its registration (Kafka's BrokerLifecycleManager):
 * registers with the active controller, then heartbeats every
 * broker.heartbeat.interval.ms with how far it has replayed the metadata, and
 * registers again when the controller no longer knows its epoch (a new
 * controller replayed a newer registration, or none). One request at a time.
 */
export class BrokerLifecycle {
  private brokerEpoch = -1;
  private fenced = true;
  private inFlight = false;
  private cancelTick: Cancel | null = null;
  private wantShutDown = false;

  constructor(
    private readonly deps: {
      readonly nodeId: number;
      readonly clusterId: string;
      readonly incarnationId: Buffer;
      readonly rack: string | null;
      readonly endpoints: ReadonlyArray<{ name: string; host: string; port: number; securityProtocol: number }>;
      /** The offset of the last metadata record this node applied. */
      readonly metadataOffset: () => number;
      readonly send: ActiveControllerChannel;
      readonly heartbeatIntervalMs: number;
      readonly scheduler: Scheduler;
      readonly logger: Logger;
    },
  ) {}

  get isFenced(): boolean {
    return this.fenced;
  }

  start(): void {
    const tick = () => {
      this.step();
      if (this.cancelTick) this.cancelTick = this.deps.scheduler.schedule(this.brokerEpoch < 0 ? Math.min(500, this.deps.heartbeatIntervalMs) : this.deps.heartbeatIntervalMs, tick);
    };
    this.cancelTick = this.deps.scheduler.schedule(0, tick);
  }

  /** Asks to be fenced before it stops (controlled shutdown); resolves once the controller answered or could not be reached. */
  async shutDown(): Promise<void> {
    this.cancelTick?.();
    this.cancelTick = null;
    if (this.brokerEpoch < 0) return;
    this.wantShutDown = true;
    // Bounded: a controller without its quorum never commits the fencing, and the node must stop all the same.
    let cancel: Cancel = () => {};
    const timeout = new Promise<void>((resolve) => (cancel = this.deps.scheduler.schedule(SHUTDOWN_WAIT_MS, resolve)));
    await Promise.race([this.heartbeat().catch(() => {}), timeout]);
    cancel();
  }

  private step(): void {
    if (this.inFlight) return;
    this.inFlight = true;
    (this.brokerEpoch < 0 ? this.register() : this.heartbeat())
      .catch((error: Error) => this.deps.logger.debug("the active controller could not be reached", { error: error.message }))
      .finally(() => (this.inFlight = false));
  }

  private async register(): Promise<void> {
    const request: BrokerRegistrationRequest = {
      brokerId: this.deps.nodeId,
      clusterId: this.deps.clusterId,
      incarnationId: this.deps.incarnationId,
      listeners: this.deps.endpoints.map((endpoint) => ({ ...endpoint })),
      features: [],
      rack: this.deps.rack,
      isMigratingZkBroker: false,
      logDirs: [],
      previousBrokerEpoch: -1n,
    };
    const response = (await this.deps.send(ApiKey.BrokerRegistration, REGISTRATION_VERSION, request)) as BrokerRegistrationResponse;
    if (response.errorCode !== ErrorCode.NONE) return;
    this.brokerEpoch = Number(response.brokerEpoch);
    this.deps.logger.info("registered with the active controller", { brokerEpoch: this.brokerEpoch });
    // The first heartbeat at once: the broker is fenced until one shows it has caught up.
    await this.heartbeat();
  }

  private async heartbeat(): Promise<void> {
    const request: BrokerHeartbeatRequest = {
      brokerId: this.deps.nodeId,
      brokerEpoch: BigInt(this.brokerEpoch),
      currentMetadataOffset: BigInt(this.deps.metadataOffset()),
      wantFence: false,
      wantShutDown: this.wantShutDown,
      offlineLogDirs: [],
    };
    const response = (await this.deps.send(ApiKey.BrokerHeartbeat, HEARTBEAT_VERSION, request)) as BrokerHeartbeatResponse;
    if (response.errorCode === ErrorCode.STALE_BROKER_EPOCH || response.errorCode === ErrorCode.BROKER_ID_NOT_REGISTERED) {
      this.brokerEpoch = -1;
      this.fenced = true;
      return;
    }
    if (response.errorCode !== ErrorCode.NONE) return;
    if (this.fenced !== response.isFenced) this.deps.logger.info(response.isFenced ? "fenced by the active controller" : "unfenced by the active controller", { brokerEpoch: this.brokerEpoch });
    this.fenced = response.isFenced;
  }
}
