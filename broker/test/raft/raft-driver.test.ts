import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord } from "../../src/metadata/records";
import { ManualScheduler } from "../../src/runtime/scheduler";
import { InMemoryRaftLog } from "../../src/raft/log";
import type { Envelope } from "../../src/raft/messages";
import { FileQuorumStateStore } from "../../src/raft/quorum-state-store";
import { RaftDriver } from "../../src/raft/raft-driver";
import { RaftMetadataLog } from "../../src/raft/raft-metadata-log";
import { RaftNode } from "../../src/raft/raft-node";
import { FaultyFileSystem, seededRandom } from "../helpers/faulty-fs";

test("raft: three nodes on a ManualScheduler elect a leader and commit a proposal through RaftMetadataLog; a broken message is reported, not thrown", async () => {
  const scheduler = new ManualScheduler();
  const random = seededRandom(42);
  const randomBytes = (size: number) => Buffer.from(Array.from({ length: size }, () => Math.floor(random() * 256)));
  const codec = { encode: (record: MetadataRecord) => encodeMetadataRecord(record).value, decode: decodeMetadataRecord };
  const drivers = new Map<number, RaftDriver>();
  const metadataLogs = new Map<number, RaftMetadataLog<MetadataRecord>>();
  const errors: unknown[] = [];
  const send = (envelope: Envelope) => scheduler.schedule(2, () => drivers.get(envelope.to)?.receive(envelope));
  for (const id of [1, 2, 3]) {
    const metadataLog = new RaftMetadataLog(codec, scheduler.clock);
    const node = new RaftNode({
      nodeId: id,
      voters: [1, 2, 3],
      log: new InMemoryRaftLog(),
      store: FileQuorumStateStore.inDirectory(new FaultyFileSystem({ seed: id }), "/meta", [1, 2, 3]),
      random: randomBytes,
      listener: metadataLog.raftListener,
    });
    metadataLog.attach(node);
    metadataLogs.set(id, metadataLog);
    drivers.set(id, new RaftDriver(node, scheduler, send, (error) => errors.push(error)));
  }
  for (const driver of drivers.values()) driver.start();
  scheduler.advance(5000);
  const leaders = [...drivers.values()].filter((driver) => driver.node.role === "leader");
  assert.equal(leaders.length, 1);
  const leaderId = leaders[0].node.nodeId;
  const proposal = metadataLogs.get(leaderId)?.propose([{ type: "TopicRecord", name: "orders", topicId: "t-1" }]) as Promise<number>;
  scheduler.advance(1000);
  const offset = await proposal;
  for (const metadataLog of metadataLogs.values()) {
    assert.deepEqual([...metadataLog.committedBatches()].map((batch) => [batch.baseOffset, batch.records[0].type]), [[offset, "TopicRecord"]]);
  }
  // A BeginQuorumEpoch naming a second leader of the current epoch is a broken invariant: the driver drops it and reports it.
  const [follower, impostor] = [1, 2, 3].filter((id) => id !== leaderId);
  const epoch = leaders[0].node.epoch;
  drivers.get(follower)?.receive({
    from: impostor,
    to: follower,
    correlationId: 1,
    message: { kind: "BeginQuorumEpochRequest", body: { clusterId: null, voterId: follower, topics: [{ topicName: "__cluster_metadata", partitions: [{ partitionIndex: 0, voterDirectoryId: Buffer.alloc(16), leaderId: impostor, leaderEpoch: epoch }] }], leaderEndpoints: [] } },
  });
  assert.equal(errors.length, 1);
  scheduler.advance(1000);
  assert.equal(drivers.get(follower)?.node.leaderId, leaderId, "the follower still follows the real leader");
  for (const driver of drivers.values()) driver.stop();
});
