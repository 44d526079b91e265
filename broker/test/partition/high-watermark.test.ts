import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { encodeRecordBatch } from "../../src/protocol/records/record-batch";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

/**
 * A partition whose ISR names a second replica that never catches up: the
 * high watermark stays behind the log end. (One node cannot have a
 * follower yet, so the test sets the ISR the image would give it.)
 */
describe("the high watermark on a broker node", () => {
  const topic = uniqueTopic("hw");
  let node: TestBroker;
  let client: RawClient;

  const produce = (acks: number, value: string, timeoutMs = 5000) =>
    client.request(ApiKey.Produce, 9, {
      transactionalId: null, acks, timeoutMs,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeRecordBatch({ now: Date.now(), records: [{ value }] }) }] }],
    });
  const fetchFrom = (fetchOffset: bigint, maxWaitMs = 0) =>
    client.request(ApiKey.Fetch, 11, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
      forgottenTopicsData: [], rackId: "",
    });
  const latestOffset = async () => {
    const response = await client.request(ApiKey.ListOffsets, 7, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }],
    });
    return response.topics[0].partitions[0].offset;
  };
  const partition = () => node.broker.produceFetch.partition(topic, 0);

  before(async () => {
    node = await startTestBroker();
    client = await RawClient.connect(node.port);
    node.broker.controller.createTopic({ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
    const produced = await produce(-1, "committed");
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE);
    partition().updateLeadership({ leaderEpoch: 0, isr: [1, 2] });
  });
  after(async () => {
    client?.close();
    await node?.destroy();
  });

  it("acks=1 answers once the batch is in the local log; the high watermark stays where the ISR has it", async () => {
    const produced = await produce(1, "local only");
    assert.deepEqual([produced.responses[0].partitionResponses[0].errorCode, produced.responses[0].partitionResponses[0].baseOffset], [ErrorCode.NONE, 1n]);
    assert.deepEqual([partition().logEndOffset, partition().highWatermark], [2, 1]);
  });

  it("consumers are not served above the high watermark: Fetch returns nothing past it, ListOffsets latest is it", async () => {
    const fetched = (await fetchFrom(1n)).responses[0].partitions[0];
    assert.equal(fetched.errorCode, ErrorCode.NONE);
    assert.equal(fetched.highWatermark, 1n);
    assert.equal(fetched.records.length, 0, "offset 1 is in the log but not committed");
    const fromStart = (await fetchFrom(0n)).responses[0].partitions[0];
    assert.ok(fromStart.records.length > 0, "offset 0 is committed and served");
    assert.equal(await latestOffset(), 1n);
    const byTime = await client.request(ApiKey.ListOffsets, 7, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 0,
      topics: [{ name: topic, partitions: [-3n, BigInt(Date.now() + 60_000)].map((timestamp) => ({ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
    });
    // MAX_TIMESTAMP finds offset 0 or nothing, never the uncommitted offset 1; a future timestamp finds nothing.
    assert.deepEqual(byTime.topics[0].partitions.map((p: { errorCode: number; offset: bigint }) => [p.errorCode, p.offset < 1n]), [[ErrorCode.NONE, true], [ErrorCode.NONE, true]]);
  });

  it("acks=-1 that is not committed within the request's timeout answers REQUEST_TIMED_OUT (the batch stays in the log)", async () => {
    const produced = await produce(-1, "never committed", 100);
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.REQUEST_TIMED_OUT);
    assert.deepEqual([partition().logEndOffset, partition().highWatermark], [3, 1]);
  });

  it("when the ISR shrinks to this node, the waiting acks=-1 produce and the waiting fetch are both answered", async () => {
    const waitingProduce = produce(-1, "waits for the commit", 30_000);
    const waitingFetch = fetchFrom(1n, 30_000);
    // Both requests are in the broker (the produce appended) before the ISR changes.
    while (partition().logEndOffset < 4) await new Promise((resolve) => setImmediate(resolve));
    partition().updateLeadership({ leaderEpoch: 0, isr: [1] });
    const produced = await waitingProduce;
    assert.deepEqual([produced.responses[0].partitionResponses[0].errorCode, produced.responses[0].partitionResponses[0].baseOffset], [ErrorCode.NONE, 3n]);
    const fetched = (await waitingFetch).responses[0].partitions[0];
    assert.equal(fetched.highWatermark, 4n);
    assert.ok(fetched.records.length > 0);
    assert.equal(await latestOffset(), 4n);
  });
});
