import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MetadataDelta } from "../../src/metadata/delta";
import { describeImage, MetadataImage } from "../../src/metadata/image";
import type { MetadataRecord } from "../../src/metadata/records";

const empty = MetadataImage.empty("cluster", 1, new Map([[1, { nodeId: 1, rack: null, endpoints: new Map() }]]));

/** Applies records (offsets following the image's) as one delta. */
function applied(base: MetadataImage, records: MetadataRecord[]): { delta: MetadataDelta; image: MetadataImage } {
  const delta = new MetadataDelta(base);
  records.forEach((record, index) => delta.replay(record, base.lastAppliedOffset + 1 + index));
  return { delta, image: delta.apply() };
}

const topic = (name: string, topicId: string, partitions = 1): MetadataRecord[] => [
  { type: "TopicRecord", name, topicId },
  ...Array.from({ length: partitions }, (_, partition): MetadataRecord => ({
    type: "PartitionRecord",
    topicId,
    partition,
    replicas: [1],
    isr: [1],
    leader: 1,
    leaderEpoch: 0,
  })),
];

describe("metadata delta", () => {
  it("says which topics and partitions a batch created, and leaves the base image as it was", () => {
    const before = describeImage(empty);
    const { delta, image } = applied(empty, [...topic("orders", "aa", 2), { type: "ConfigRecord", resourceType: "topic", resourceName: "orders", name: "retention.ms", value: "1000" }]);
    assert.deepEqual(delta.createdTopics.map((t) => t.name), ["orders"]);
    assert.deepEqual(delta.partitionChanges.map((c) => [c.topic.name, c.state.partition, c.created]), [["orders", 0, true], ["orders", 1, true]]);
    assert.deepEqual(delta.topicsWithChangedConfigs, [], "a new topic's configs are part of its creation, not a change");
    assert.equal(image.topic("orders")!.configs.get("retention.ms"), "1000");
    assert.equal(image.lastAppliedOffset, 3);
    assert.deepEqual(describeImage(empty), before);
  });

  it("a topic made and removed within one delta leaves no trace; one removed and made again under its name is both deleted and created", () => {
    const { image: base } = applied(empty, topic("orders", "aa"));
    const { delta, image } = applied(base, [
      ...topic("scratch", "bb"),
      { type: "RemoveTopicRecord", topicId: "bb" },
      { type: "RemoveTopicRecord", topicId: "aa" },
      ...topic("orders", "cc", 3),
    ]);
    assert.deepEqual(delta.deletedTopics.map((t) => [t.name, t.topicId]), [["orders", "aa"]]);
    assert.deepEqual(delta.createdTopics.map((t) => [t.name, t.topicId]), [["orders", "cc"]]);
    assert.equal(image.topic("scratch"), undefined);
    assert.equal(image.topic("orders")!.partitions.length, 3);
    assert.equal(image.topicsById.has("aa"), false);
  });

  it("new partitions of an existing topic, and config changes of topics and brokers, are reported as changes", () => {
    const { image: base } = applied(empty, topic("orders", "aa"));
    const { delta, image } = applied(base, [
      { type: "PartitionRecord", topicId: "aa", partition: 1, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 },
      { type: "ConfigRecord", resourceType: "topic", resourceName: "orders", name: "cleanup.policy", value: "compact" },
      { type: "ConfigRecord", resourceType: "broker", resourceName: "1", name: "log.retention.ms", value: "5000" },
    ]);
    assert.deepEqual(delta.partitionChanges.map((c) => [c.state.partition, c.created]), [[1, true]]);
    assert.deepEqual(delta.topicsWithChangedConfigs.map((t) => t.name), ["orders"]);
    assert.deepEqual(delta.brokerConfigsChanged, ["1"]);
    assert.equal(image.brokerConfigs.get("1")!.get("log.retention.ms"), "5000");
    assert.equal(base.topic("orders")!.partitions.length, 1, "the base image keeps its partitions");
  });

  it("producer-id blocks: each ProducerIdsRecord hands [previous next, its next) to its node, and ids only grow", () => {
    const { delta, image } = applied(empty, [
      { type: "ProducerIdsRecord", nodeId: 1, nextProducerId: 1000 },
      { type: "ProducerIdsRecord", nodeId: 2, nextProducerId: 2000 },
    ]);
    assert.deepEqual(delta.producerIdBlocks, [
      { nodeId: 1, firstProducerId: 0, nextProducerId: 1000 },
      { nodeId: 2, firstProducerId: 1000, nextProducerId: 2000 },
    ]);
    assert.equal(image.nextProducerId, 2000);
    assert.throws(() => applied(image, [{ type: "ProducerIdsRecord", nodeId: 1, nextProducerId: 2000 }]), /producer ids must grow/);
  });

  it("refuses records the log could not have committed", () => {
    const { image } = applied(empty, topic("orders", "aa"));
    assert.throws(() => applied(image, topic("orders", "bb")), /created twice/);
    assert.throws(() => applied(image, [{ type: "RemoveTopicRecord", topicId: "zz" }]), /unknown topic id/);
    assert.throws(() => applied(image, [{ type: "PartitionRecord", topicId: "aa", partition: 5, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0 }]), /skips an index/);
    const delta = new MetadataDelta(image);
    assert.throws(() => delta.replay({ type: "RemoveTopicRecord", topicId: "aa" }, image.lastAppliedOffset), /offsets must grow/);
  });

  it("the image cannot be edited: its maps refuse changes and its objects are frozen", () => {
    const { image } = applied(empty, topic("orders", "aa"));
    assert.throws(() => (image.topicsByName as Map<string, unknown>).set("x", {}), /immutable/);
    assert.throws(() => (image.topicsById as Map<string, unknown>).delete("aa"), /immutable/);
    assert.throws(() => (image.topic("orders")!.configs as Map<string, string>).set("retention.ms", "1"), /immutable/);
    assert.ok(Object.isFrozen(image));
    assert.ok(Object.isFrozen(image.topic("orders")));
    assert.ok(Object.isFrozen(image.topic("orders")!.partitions));
    assert.ok(Object.isFrozen(image.topic("orders")!.partitions[0].replicas));
  });

  it("describing an image yields a delta from the empty image that rebuilds it", () => {
    const { image } = applied(empty, [
      ...topic("orders", "aa", 2),
      { type: "ConfigRecord", resourceType: "broker", resourceName: "1", name: "log.retention.ms", value: "5000" },
      { type: "ProducerIdsRecord", nodeId: 1, nextProducerId: 1000 },
    ]);
    const { delta } = MetadataDelta.describing(image);
    assert.deepEqual(delta.createdTopics.map((t) => t.name), ["orders"]);
    assert.deepEqual(delta.brokerConfigsChanged, ["1"]);
    assert.deepEqual(delta.producerIdBlocks, [], "no block is handed out again");
    assert.equal(delta.apply(), image);
  });
});

describe("the controller id clients are told", () => {
  const endpoint = (nodeId: number) => ({ nodeId, host: "127.0.0.1", port: 9090 + nodeId, rack: null });
  const image = MetadataImage.empty("cluster", 2, new Map());
  it("is this node when it is among the brokers listed", () => {
    assert.equal(image.controllerIdAmong([endpoint(1), endpoint(2), endpoint(3)]), 2);
  });
  it("is another listed broker when this node is not listed (fenced in its own view), and -1 when none is", () => {
    assert.equal(image.controllerIdAmong([endpoint(1), endpoint(3)]), 1);
    assert.equal(image.controllerIdAmong([]), -1);
  });
});
