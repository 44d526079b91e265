import { ErrorCode, KafkaError } from "../protocol/errors";
import type { BrokerHeartbeatRequest, BrokerHeartbeatResponse, BrokerRegistrationRequest, BrokerRegistrationResponse } from "../protocol/generated";
import type { Logger } from "../runtime/logger";
import type { Cancel, Scheduler } from "../runtime/scheduler";
import type { Controller } from "./controller";
import type { MetadataImage } from "./image";

interface Session {
  readonly brokerEpoch: number;
  lastHeartbeatMs: number;
}

/** How often the active controller looks for expired sessions. */
const EXPIRY_CHECK_MS = 500;

/**
 * The active controller's side of broker registration and heartbeats (Kafka's
 * BrokerHeartbeatManager): a broker registers, starts fenced, is unfenced once
 * a heartbeat shows it has replayed the metadata up to its registration, and
 * is fenced again when it asks to shut down or sends no heartbeat for
 * broker.session.timeout.ms. Sessions live in memory on the active
 * controller only: a newly elected one gives every broker a fresh session.
 */
export class BrokerHeartbeats {
  private readonly sessions = new Map<number, Session>();
  private cancelCheck: Cancel | null = null;

  constructor(
    private readonly deps: {
      readonly clusterId: string;
      readonly controller: Pick<Controller, "registerBroker" | "changeBrokerFencing">;
      readonly image: () => MetadataImage;
      /** Whether this node is the active controller now. */
      readonly isActive: () => boolean;
      readonly sessionTimeoutMs: () => number;
      readonly scheduler: Scheduler;
      readonly logger: Logger;
    },
  ) {}

  start(): void {
    const check = () => {
      this.expireSessions();
      if (this.cancelCheck) this.cancelCheck = this.deps.scheduler.schedule(EXPIRY_CHECK_MS, check);
    };
    this.cancelCheck = this.deps.scheduler.schedule(EXPIRY_CHECK_MS, check);
  }

  stop(): void {
    this.cancelCheck?.();
    this.cancelCheck = null;
  }

  async register(request: BrokerRegistrationRequest): Promise<BrokerRegistrationResponse> {
    const answer = (errorCode: number, brokerEpoch = -1): BrokerRegistrationResponse => ({ throttleTimeMs: 0, errorCode, brokerEpoch: BigInt(brokerEpoch) });
    if (request.clusterId !== this.deps.clusterId) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID);
    if (!this.deps.isActive()) return answer(ErrorCode.NOT_CONTROLLER);
    try {
      const brokerEpoch = await this.deps.controller.registerBroker({
        brokerId: request.brokerId,
        incarnationId: request.incarnationId.toString("hex"),
        rack: request.rack,
        endpoints: request.listeners.map((listener) => ({ name: listener.name, host: listener.host, port: listener.port })),
      });
      this.sessions.set(request.brokerId, { brokerEpoch, lastHeartbeatMs: this.deps.scheduler.clock.nowMs() });
      this.deps.logger.info("broker registered", { brokerId: request.brokerId, brokerEpoch });
      return answer(ErrorCode.NONE, brokerEpoch);
    } catch (error) {
      if (error instanceof KafkaError) return answer(error.code);
      throw error;
    }
  }

  async heartbeat(request: BrokerHeartbeatRequest): Promise<BrokerHeartbeatResponse> {
    const answer = (errorCode: number, fenced = true, caughtUp = false, shouldShutDown = false): BrokerHeartbeatResponse => ({
      throttleTimeMs: 0,
      errorCode,
      isCaughtUp: caughtUp,
      isFenced: fenced,
      shouldShutDown,
    });
    if (!this.deps.isActive()) return answer(ErrorCode.NOT_CONTROLLER);
    const brokerEpoch = Number(request.brokerEpoch);
    const broker = this.deps.image().brokers.get(request.brokerId);
    if (!broker || broker.brokerEpoch === undefined || broker.brokerEpoch < 0) return answer(ErrorCode.BROKER_ID_NOT_REGISTERED);
    if (broker.brokerEpoch !== brokerEpoch) return answer(ErrorCode.STALE_BROKER_EPOCH);
    this.sessions.set(request.brokerId, { brokerEpoch, lastHeartbeatMs: this.deps.scheduler.clock.nowMs() });
    // Caught up once it has replayed its own registration: it then serves the metadata as of then or later.
    const caughtUp = Number(request.currentMetadataOffset) >= brokerEpoch;
    const fence = request.wantFence || request.wantShutDown;
    try {
      if (fence) await this.deps.controller.changeBrokerFencing(request.brokerId, brokerEpoch, true);
      else if (caughtUp && broker.fenced) {
        await this.deps.controller.changeBrokerFencing(request.brokerId, brokerEpoch, false);
        this.deps.logger.info("broker unfenced", { brokerId: request.brokerId, brokerEpoch });
      }
    } catch (error) {
      if (error instanceof KafkaError) return answer(error.code);
      throw error;
    }
    const now = this.deps.image().brokers.get(request.brokerId);
    return answer(ErrorCode.NONE, now?.fenced ?? true, caughtUp, request.wantShutDown);
  }

  private expireSessions(): void {
    if (!this.deps.isActive()) {
      // Sessions start afresh when this node leads again: the brokers have not heartbeated to it meanwhile.
      this.sessions.clear();
      return;
    }
    const now = this.deps.scheduler.clock.nowMs();
    for (const broker of this.deps.image().brokers.values()) {
      if (broker.fenced || broker.brokerEpoch === undefined || broker.brokerEpoch < 0) continue;
      const session = this.sessions.get(broker.nodeId);
      if (!session || session.brokerEpoch !== broker.brokerEpoch) {
        this.sessions.set(broker.nodeId, { brokerEpoch: broker.brokerEpoch, lastHeartbeatMs: now });
        continue;
      }
      if (now - session.lastHeartbeatMs < this.deps.sessionTimeoutMs()) continue;
      this.deps.logger.warn("broker session expired; fencing it", { brokerId: broker.nodeId, brokerEpoch: broker.brokerEpoch, silentMs: now - session.lastHeartbeatMs });
      this.sessions.delete(broker.nodeId);
      this.deps.controller.changeBrokerFencing(broker.nodeId, broker.brokerEpoch, true).catch((error: Error) =>
        this.deps.logger.warn("fencing a broker failed", { brokerId: broker.nodeId, error: error.message }),
      );
    }
  }
}
