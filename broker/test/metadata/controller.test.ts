import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { parseBrokerConfig } from "../../src/config/broker-config";
import { Controller, PRODUCER_ID_BLOCK_SIZE } from "../../src/metadata/controller";
import { MetadataImage } from "../../src/metadata/image";
import { MetadataLoader } from "../../src/metadata/loader";
import type { CommittedBatch, MetadataLog } from "../../src/metadata/metadata-log";
import type { MetadataRecord } from "../../src/metadata/records";
import { ErrorCode, KafkaError } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { silentLogger } from "../../src/runtime/logger";
import { startTestBroker, uniqueTopic } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

/**
 * A metadata log that appends at once and commits only when the test says
 * so (as a quorum or a slow fsync would): proposals wait in `held` until
 * `commitNext` or `failNext`.
 */
class HeldBackLog implements MetadataLog {
  private readonly listeners: Array<(batch: CommittedBatch) => void> = [];
  private readonly committed: CommittedBatch[] = [];
  readonly held: Array<{ batch: CommittedBatch; resolve: (offset: number) => void; reject: (error: Error) => void }> = [];
  endOffset = 0;

  propose(records: readonly MetadataRecord[]): Promise<number> {
    const batch: CommittedBatch = { baseOffset: this.endOffset, records: [...records] };
    this.endOffset += records.length;
    return new Promise((resolve, reject) => this.held.push({ batch, resolve, reject }));
  }

  commitNext(): void {
    const next = this.held.shift();
    assert.ok(next, "a proposal to commit");
    this.committed.push(next.batch);
    for (const listener of this.listeners) listener(next.batch);
    next.resolve(next.batch.baseOffset + next.batch.records.length - 1);
  }

  /** Fails the oldest held proposal: it never commits (its offsets are taken by the next ones, as after a lost leadership). */
  failNext(): void {
    const next = this.held.shift();
    assert.ok(next, "a proposal to fail");
    next.reject(new KafkaError("NOT_LEADER_OR_FOLLOWER", "leadership lost before the proposal committed"));
  }

  onCommit(listener: (batch: CommittedBatch) => void): void {
    this.listeners.push(listener);
  }

  committedBatches(): Iterable<CommittedBatch> {
    return this.committed;
  }
}

function controllerOver(log: HeldBackLog) {
  const loader = new MetadataLoader(MetadataImage.empty("cluster", 1, new Map([[1, { nodeId: 1, rack: null, endpoints: new Map() }]])), silentLogger);
  loader.follow(log);
  let draws = 0;
  // Topic ids drawn from a counter: two topics would get the same id only if the controller proposed twice.
  const random = (size: number) => createHash("sha256").update(String(draws++)).digest().subarray(0, size);
  const config = parseBrokerConfig({});
  const controller = new Controller(log, () => loader.image, () => config, random, silentLogger);
  return { controller, loader };
}

const topicSpec = (name: string, numPartitions = 1) => ({ name, numPartitions, replicationFactor: -1, assignments: [], configs: {} });

/** Settles each promise and says how it went: "ok" or the Kafka error name. */
async function outcomes(promises: Array<Promise<unknown>>): Promise<string[]> {
  const settled = await Promise.allSettled(promises);
  return settled.map((result) => {
    if (result.status === "fulfilled") return "ok";
    const reason = result.reason as { code?: number };
    return Object.entries(ErrorCode).find(([, code]) => code === reason.code)?.[0] ?? String(result.reason);
  });
}

describe("controller: validates against its proposals not yet committed", () => {
  it("two CreateTopics of one name while the first is uncommitted: one succeeds, the other hears TOPIC_ALREADY_EXISTS", async () => {
    const log = new HeldBackLog();
    const { controller, loader } = controllerOver(log);
    const first = controller.createTopic(topicSpec("orders"), { validateOnly: false });
    const second = controller.createTopic(topicSpec("orders"), { validateOnly: false });
    // Names that differ only by '.' and '_' collide in metric names, which Kafka refuses as well.
    const collision = controller.createTopic(topicSpec("or_ders"), { validateOnly: false });
    const colliding = controller.createTopic(topicSpec("or.ders"), { validateOnly: false });
    const answers = outcomes([first, second, collision, colliding]);
    assert.equal(log.held.length, 2, "only the first of each name reached the log");
    log.commitNext();
    log.commitNext();
    assert.deepEqual(await answers, ["ok", "TOPIC_ALREADY_EXISTS", "ok", "INVALID_TOPIC_EXCEPTION"]);
    assert.deepEqual([...loader.image.topicsByName.keys()].sort(), ["or_ders", "orders"]);
  });

  it("a topic whose creation is in flight can be given partitions and deleted; a delete in flight refuses CreatePartitions", async () => {
    const log = new HeldBackLog();
    const { controller, loader } = controllerOver(log);
    const created = controller.createTopic(topicSpec("events", 2), { validateOnly: false });
    const grown = controller.createPartitions("events", 4, null, { validateOnly: false });
    const deleted = controller.deleteTopic("events");
    const late = controller.createPartitions("events", 6, null, { validateOnly: false });
    const answers = outcomes([created, grown, deleted, late]);
    assert.equal(log.held.length, 3);
    log.commitNext();
    await created;
    log.commitNext();
    await grown;
    assert.equal(loader.image.topic("events")?.partitions.length, 4);
    log.commitNext();
    assert.deepEqual(await answers, ["ok", "ok", "ok", "UNKNOWN_TOPIC_OR_PARTITION"]);
    assert.equal(loader.image.topic("events"), undefined);
  });

  it("concurrent producer-id blocks never overlap", async () => {
    const log = new HeldBackLog();
    const { controller, loader } = controllerOver(log);
    const blocks: Array<{ first: number; next: number }> = [];
    loader.install({
      name: "blocks",
      onMetadataUpdate: (delta) => {
        for (const block of delta.producerIdBlocks) blocks.push({ first: block.firstProducerId, next: block.nextProducerId });
      },
    });
    const requests = [controller.allocateProducerIds(1), controller.allocateProducerIds(1), controller.allocateProducerIds(1)];
    while (log.held.length > 0) log.commitNext();
    assert.deepEqual(await outcomes(requests), ["ok", "ok", "ok"]);
    assert.deepEqual(blocks, [0, 1, 2].map((index) => ({ first: index * PRODUCER_ID_BLOCK_SIZE, next: (index + 1) * PRODUCER_ID_BLOCK_SIZE })));
  });

  it("a config change in flight is the base of the next one (no lost update)", async () => {
    const log = new HeldBackLog();
    const { controller, loader } = controllerOver(log);
    const created = controller.createTopic(topicSpec("audit"), { validateOnly: false });
    const set = (name: string, value: string) =>
      controller.alterConfigs({ kind: "topic", name: "audit" }, [{ name, op: 0, value }], { mode: "incremental", validateOnly: false });
    const retention = set("retention.ms", "1000");
    const policy = set("cleanup.policy", "compact");
    while (log.held.length > 0) log.commitNext();
    assert.deepEqual(await outcomes([created, retention, policy]), ["ok", "ok", "ok"]);
    assert.deepEqual(Object.fromEntries(loader.image.topic("audit")!.configs), { "retention.ms": "1000", "cleanup.policy": "compact" });
  });

  it("a failed proposal, and the ones made on top of it, leave no trace in later validation", async () => {
    const log = new HeldBackLog();
    const { controller, loader } = controllerOver(log);
    const doomed = controller.createTopic(topicSpec("payments"), { validateOnly: false });
    const onTop = controller.createPartitions("payments", 3, null, { validateOnly: false });
    log.failNext();
    log.failNext();
    assert.deepEqual(await outcomes([doomed, onTop]), ["NOT_LEADER_OR_FOLLOWER", "NOT_LEADER_OR_FOLLOWER"]);
    // Nothing of "payments" is left: neither its name nor its partitions.
    await assert.rejects(controller.createPartitions("payments", 3, null, { validateOnly: false }), (error: KafkaError) => error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const again = controller.createTopic(topicSpec("payments", 2), { validateOnly: false });
    log.commitNext();
    assert.deepEqual(await outcomes([again]), ["ok"]);
    assert.equal(loader.image.topic("payments")?.partitions.length, 2);
  });

  it("a proposal committed but not yet resolved is counted once", async () => {
    const log = new HeldBackLog();
    const { controller, loader } = controllerOver(log);
    const seen: string[] = [];
    // A publisher runs after the image swap and before the proposal's promise resolves: validating there must not count the proposal twice.
    loader.install({
      name: "validates-inside",
      onMetadataUpdate: (delta) => {
        if (delta.createdTopics.length > 0) seen.push(`${controller.image.topicsByName.size} topics, next id ${controller.image.nextProducerId}`);
      },
    });
    const created = controller.createTopic(topicSpec("once"), { validateOnly: false });
    log.commitNext();
    await created;
    assert.deepEqual(seen, ["1 topics, next id 0"]);
  });
});

describe("controller: concurrent requests from real clients against a started broker", () => {
  it("kafkajs admins creating one topic at once: exactly one creates it; producers get distinct ids", async () => {
    const node = await startTestBroker();
    const kafka = new Kafka({ clientId: "sluice-controller-test", brokers: [node.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admins = [kafka.admin(), kafka.admin(), kafka.admin()];
    try {
      await Promise.all(admins.map((admin) => admin.connect()));
      const topic = uniqueTopic("race");
      // kafkajs resolves false when the broker answers TOPIC_ALREADY_EXISTS.
      const created = await Promise.all(admins.map((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })));
      assert.deepEqual(created.filter(Boolean).length, 1, `created: ${created}`);
      assert.equal(node.broker.image.topic(topic)?.partitions.length, 2);

      const clients = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(node.port)));
      const ids = await Promise.all(
        clients.map((client) => client.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })),
      );
      assert.deepEqual(ids.map((answer) => answer.errorCode), [0, 0, 0, 0]);
      assert.equal(new Set(ids.map((answer) => answer.producerId)).size, 4);
      for (const client of clients) client.close();
    } finally {
      await Promise.all(admins.map((admin) => admin.disconnect()));
      await node.destroy();
    }
  });
});
