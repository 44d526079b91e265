import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseBrokerConfig } from "../../src/config/broker-config";
import { BrokerHeartbeats } from "../../src/metadata/broker-heartbeats";
import { Controller } from "../../src/metadata/controller";
import { MetadataImage } from "../../src/metadata/image";
import { MetadataLoader } from "../../src/metadata/loader";
import type { CommittedBatch, MetadataLog } from "../../src/metadata/metadata-log";
import type { MetadataRecord } from "../../src/metadata/records";
import { ErrorCode } from "../../src/protocol/errors";
import { silentLogger } from "../../src/runtime/logger";
import { ManualScheduler } from "../../src/runtime/scheduler";

/** A metadata log that commits every proposal at once, as a cluster of one does. */
class CommittingLog implements MetadataLog {
  private readonly listeners: Array<(batch: CommittedBatch) => void> = [];
  private readonly committed: CommittedBatch[] = [];
  endOffset = 0;
  async propose(records: readonly MetadataRecord[]): Promise<number> {
    const batch = { baseOffset: this.endOffset, records: [...records] };
    this.endOffset += records.length;
    this.committed.push(batch);
    for (const listener of this.listeners) listener(batch);
    return this.endOffset - 1;
  }
  onCommit(listener: (batch: CommittedBatch) => void): void {
    this.listeners.push(listener);
  }
  committedBatches(): Iterable<CommittedBatch> {
    return this.committed;
  }
}

const CLUSTER = "AAAAAAAAAAAAAAAAAAAAAA";

function activeController(options: { active?: () => boolean } = {}) {
  const scheduler = new ManualScheduler();
  const log = new CommittingLog();
  const loader = new MetadataLoader(MetadataImage.empty(CLUSTER, 1, new Map()), silentLogger);
  loader.follow(log);
  const config = parseBrokerConfig({ "broker.session.timeout.ms": "3000" });
  const controller = new Controller(log, () => loader.image, () => config, (size) => Buffer.alloc(size, 7), silentLogger);
  const heartbeats = new BrokerHeartbeats({
    clusterId: CLUSTER,
    controller,
    image: () => loader.image,
    isActive: options.active ?? (() => true),
    sessionTimeoutMs: () => config.brokerSessionTimeoutMs,
    scheduler,
    logger: silentLogger,
  });
  heartbeats.start();
  return { scheduler, loader, heartbeats, controller };
}

const registration = (brokerId: number, clusterId = CLUSTER) => ({
  brokerId,
  clusterId,
  incarnationId: Buffer.alloc(16, brokerId),
  listeners: [{ name: "PLAINTEXT", host: "127.0.0.1", port: 9090 + brokerId, securityProtocol: 0 }],
  features: [],
  rack: "r1",
  isMigratingZkBroker: false,
  logDirs: [],
  previousBrokerEpoch: -1n,
});

const heartbeat = (brokerId: number, brokerEpoch: bigint, currentMetadataOffset: bigint, wantShutDown = false) => ({
  brokerId,
  brokerEpoch,
  currentMetadataOffset,
  wantFence: false,
  wantShutDown,
  offlineLogDirs: [],
});

describe("broker registration and heartbeats on the active controller", () => {
  it("a registered broker starts fenced, is unfenced once caught up, and is told to clients only then", async () => {
    const { loader, heartbeats } = activeController();
    const registered = await heartbeats.register(registration(2));
    assert.equal(registered.errorCode, ErrorCode.NONE);
    const epoch = registered.brokerEpoch;
    assert.equal(loader.image.brokers.get(2)?.fenced, true);
    assert.deepEqual(loader.image.brokersOn("PLAINTEXT"), []);
    // Behind its own registration: still fenced.
    const behind = await heartbeats.heartbeat(heartbeat(2, epoch, epoch - 1n));
    assert.deepEqual([behind.errorCode, behind.isCaughtUp, behind.isFenced], [ErrorCode.NONE, false, true]);
    const caughtUp = await heartbeats.heartbeat(heartbeat(2, epoch, epoch));
    assert.deepEqual([caughtUp.errorCode, caughtUp.isCaughtUp, caughtUp.isFenced], [ErrorCode.NONE, true, false]);
    assert.deepEqual(loader.image.brokersOn("PLAINTEXT"), [{ nodeId: 2, host: "127.0.0.1", port: 9092, rack: "r1" }]);
    assert.deepEqual(loader.image.unfencedBrokerIds, [2]);
  });

  it("refuses a heartbeat of an old epoch or an unknown broker, a registration of another cluster, and everything off the active controller", async () => {
    const { heartbeats } = activeController();
    const first = await heartbeats.register(registration(2));
    const second = await heartbeats.register(registration(2));
    assert.ok(second.brokerEpoch > first.brokerEpoch);
    assert.equal((await heartbeats.heartbeat(heartbeat(2, first.brokerEpoch, 100n))).errorCode, ErrorCode.STALE_BROKER_EPOCH);
    assert.equal((await heartbeats.heartbeat(heartbeat(3, 0n, 100n))).errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED);
    assert.equal((await heartbeats.register(registration(4, "BBBBBBBBBBBBBBBBBBBBBB"))).errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
    const standby = activeController({ active: () => false }).heartbeats;
    assert.equal((await standby.register(registration(2))).errorCode, ErrorCode.NOT_CONTROLLER);
    assert.equal((await standby.heartbeat(heartbeat(2, 0n, 0n))).errorCode, ErrorCode.NOT_CONTROLLER);
  });

  it("a fenced leader leaves its partitions leaderless (no other in-sync replica) and takes them back when unfenced", async () => {
    const { loader, heartbeats, controller } = activeController();
    const epochs = new Map<number, bigint>();
    for (const id of [2, 3]) {
      const { brokerEpoch } = await heartbeats.register(registration(id));
      epochs.set(id, brokerEpoch);
      await heartbeats.heartbeat(heartbeat(id, brokerEpoch, 1000n));
    }
    await controller.createTopic({ name: "spread", numPartitions: 2, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
    const leaders = () => loader.image.topic("spread")!.partitions.map((state) => [state.leader, state.leaderEpoch]);
    const before = leaders();
    assert.deepEqual(before.map(([leader]) => leader).sort(), [2, 3]);
    const onTwo = before.findIndex(([leader]) => leader === 2);
    await heartbeats.heartbeat(heartbeat(2, epochs.get(2)!, 1000n, true));
    assert.deepEqual(leaders()[onTwo], [-1, before[onTwo][1] + 1]);
    assert.deepEqual(leaders()[1 - onTwo], before[1 - onTwo], "the other broker's partition is untouched");
    // Broker 2 comes back: registers again, catches up, and leads its partition in a newer epoch.
    const { brokerEpoch } = await heartbeats.register(registration(2));
    await heartbeats.heartbeat(heartbeat(2, brokerEpoch, brokerEpoch));
    assert.deepEqual(leaders()[onTwo], [2, before[onTwo][1] + 2]);
  });

  it("fences a broker whose session expires, and one that asks to shut down", async () => {
    const { loader, heartbeats, scheduler } = activeController();
    for (const id of [2, 3]) {
      const { brokerEpoch } = await heartbeats.register(registration(id));
      await heartbeats.heartbeat(heartbeat(id, brokerEpoch, 1000n));
    }
    assert.deepEqual(loader.image.unfencedBrokerIds, [2, 3]);
    // Broker 3 keeps heartbeating, broker 2 goes silent.
    const epoch3 = loader.image.brokers.get(3)!.brokerEpoch!;
    for (let elapsed = 0; elapsed < 4000; elapsed += 500) {
      await heartbeats.heartbeat(heartbeat(3, BigInt(epoch3), 1000n));
      scheduler.advance(500);
      await Promise.resolve();
    }
    assert.equal(loader.image.brokers.get(2)?.fenced, true);
    assert.deepEqual(loader.image.unfencedBrokerIds, [3]);
    const leaving = await heartbeats.heartbeat(heartbeat(3, BigInt(epoch3), 1000n, true));
    assert.deepEqual([leaving.isFenced, leaving.shouldShutDown], [true, true]);
    assert.deepEqual(loader.image.unfencedBrokerIds, []);
  });
});
