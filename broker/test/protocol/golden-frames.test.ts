import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  API_MESSAGES,
  ApiKey,
  type CreateTopicsRequest,
  type DeleteTopicsRequest,
  type DescribeConfigsRequest,
  type FetchRequest,
  type FindCoordinatorRequest,
  type JoinGroupRequest,
  type ListOffsetsRequest,
  type MetadataRequest,
  type OffsetCommitRequest,
  type OffsetFetchRequest,
  type ProduceRequest,
  type RequestHeader,
  readRequestHeader,
  requestHeaderVersion,
  writeRequestHeader,
} from "../../src/protocol/generated";
import { Reader } from "../../src/protocol/reader";
import { decodeRecordBatches, validateProducedRecords } from "../../src/protocol/records/record-batch";
import { Writer } from "../../src/protocol/writer";
import { loadGoldenFrames, type GoldenFrame } from "../helpers/golden";

interface Decoded {
  header: RequestHeader;
  body: unknown;
}

function decode(g: GoldenFrame): Decoded {
  const r = new Reader(g.frame);
  const apiKey = g.frame.readInt16BE(0);
  const apiVersion = g.frame.readInt16BE(2);
  const spec = API_MESSAGES.get(apiKey);
  assert.ok(spec, `api key ${apiKey} is known`);
  const header = readRequestHeader(r, requestHeaderVersion(apiKey, apiVersion));
  const body = spec.readRequest(r, apiVersion);
  assert.equal(r.remaining, 0, "the whole frame is consumed");
  return { header, body };
}

function encode(d: Decoded): Buffer {
  const { requestApiKey, requestApiVersion } = d.header;
  const w = new Writer();
  writeRequestHeader(w, requestHeaderVersion(requestApiKey, requestApiVersion), d.header);
  API_MESSAGES.get(requestApiKey)!.writeRequest(w, requestApiVersion, d.body);
  return w.toBuffer();
}

function checkFrame(g: GoldenFrame): Decoded {
  const decoded = decode(g);
  assert.equal(decoded.header.requestApiKey, ApiKey[g.api], "api key matches the file name");
  assert.equal(decoded.header.requestApiVersion, g.version, "api version matches the file name");
  assert.equal(encode(decoded).toString("hex"), g.frame.toString("hex"), "re-encoding gives the same bytes");
  return decoded;
}

/** Record batch (magic 2) facts: magic byte and record count. */
function batchFacts(records: Buffer | null): { magic: number; recordCount: number; baseOffset: bigint } {
  assert.ok(records);
  return { baseOffset: records.readBigInt64BE(0), magic: records.readInt8(16), recordCount: records.readInt32BE(57) };
}

const kafkajs = loadGoldenFrames("kafkajs");
const byName = new Map(kafkajs.map((g) => [g.file.replace(/\.hex$/, ""), g]));
function golden(name: string): Decoded {
  const g = byName.get(name);
  assert.ok(g, `fixture kafkajs/${name}.hex exists`);
  return checkFrame(g);
}

describe("request frames captured from kafkajs 2.2.4", () => {
  it("include the representative set of apis and versions", () => {
    for (const name of [
      "ApiVersions-v0",
      "ApiVersions-v2",
      "Metadata-v0",
      "Metadata-v6",
      "Produce-v3",
      "Produce-v7",
      "Fetch-v4",
      "Fetch-v11",
      "ListOffsets-v0",
      "ListOffsets-v3",
      "CreateTopics-v3",
      "DeleteTopics-v1",
      "FindCoordinator-v2",
      "JoinGroup-v5",
      "OffsetCommit-v5",
      "OffsetFetch-v4",
      "DescribeConfigs-v2",
    ]) {
      assert.ok(byName.has(name), `kafkajs/${name}.hex`);
    }
  });

  for (const g of kafkajs) {
    it(`${g.file}: header and body decode and re-encode to the identical bytes`, () => {
      const { header } = checkFrame(g);
      assert.equal(header.correlationId, 7);
      assert.equal(header.clientId, "sluice-golden");
    });
  }

  it("Produce v3 carries the kafkajs record batch for orders/2 unchanged", () => {
    const body = golden("Produce-v3").body as ProduceRequest;
    assert.equal(body.transactionalId, null);
    assert.equal(body.acks, -1);
    assert.equal(body.timeoutMs, 30000);
    assert.equal(body.topicData[0].name, "orders");
    assert.equal(body.topicData[0].partitionData[0].index, 2);
    assert.deepEqual(batchFacts(body.topicData[0].partitionData[0].records), { baseOffset: 0n, magic: 2, recordCount: 2 });
  });

  it("Produce v7 carries the transactional id and a transactional record batch", () => {
    const body = golden("Produce-v7").body as ProduceRequest;
    assert.equal(body.transactionalId, "txn-1");
    const records = body.topicData[0].partitionData[0].records!;
    assert.deepEqual(batchFacts(records), { baseOffset: 0n, magic: 2, recordCount: 2 });
    assert.equal(records.readInt16BE(21) & 0x10, 0x10, "transactional attribute bit");
    assert.equal(records.readBigInt64BE(43), 4000n, "producer id");
  });

  it("Fetch v4 and v11 decode the fetch position, isolation level and (v11) rack", () => {
    const v4 = golden("Fetch-v4").body as FetchRequest;
    assert.equal(v4.replicaId, -1);
    assert.equal(v4.maxWaitMs, 500);
    assert.equal(v4.maxBytes, 10485760);
    assert.equal(v4.isolationLevel, 1);
    assert.equal(v4.topics[0].topic, "orders");
    assert.equal(v4.topics[0].partitions[0].partition, 2);
    assert.equal(v4.topics[0].partitions[0].fetchOffset, 42n);
    assert.equal(v4.topics[0].partitions[0].partitionMaxBytes, 1048576);
    assert.equal(v4.rackId, "", "absent in v4: default");
    assert.equal(v4.sessionEpoch, -1, "absent in v4: default -1");
    const v11 = golden("Fetch-v11").body as FetchRequest;
    assert.equal(v11.rackId, "rack-a");
    assert.equal(v11.sessionId, 0);
    assert.equal(v11.sessionEpoch, -1);
    assert.equal(v11.topics[0].partitions[0].currentLeaderEpoch, -1);
    assert.equal(v11.topics[0].partitions[0].fetchOffset, 42n);
    assert.deepEqual(v11.forgottenTopicsData, []);
  });

  it("Metadata names the requested topics and, from v4, the auto-creation flag", () => {
    const v0 = golden("Metadata-v0").body as MetadataRequest;
    assert.deepEqual(
      v0.topics?.map((t) => t.name),
      ["orders", "payments"],
    );
    const v6 = golden("Metadata-v6").body as MetadataRequest;
    assert.deepEqual(
      v6.topics?.map((t) => t.name),
      ["orders", "payments"],
    );
    assert.equal(v6.allowAutoTopicCreation, false);
  });

  it("ListOffsets v0 has the per-partition MaxNumOffsets, v3 the isolation level", () => {
    const v0 = golden("ListOffsets-v0").body as ListOffsetsRequest;
    assert.equal(v0.topics[0].name, "orders");
    assert.equal(v0.topics[0].partitions[0].partitionIndex, 2);
    assert.equal(v0.topics[0].partitions[0].timestamp, -1n);
    assert.equal(v0.topics[0].partitions[0].maxNumOffsets, 1);
    const v3 = golden("ListOffsets-v3").body as ListOffsetsRequest;
    assert.equal(v3.isolationLevel, 1);
    assert.equal(v3.topics[0].partitions[0].maxNumOffsets, 1, "absent after v0: default 1");
  });

  it("CreateTopics v3 decodes partitions, replication, assignments and configs", () => {
    const body = golden("CreateTopics-v3").body as CreateTopicsRequest;
    const [orders, manual] = body.topics;
    assert.equal(orders.name, "orders");
    assert.equal(orders.numPartitions, 3);
    assert.equal(orders.replicationFactor, 1);
    assert.deepEqual(
      orders.configs.map((c) => [c.name, c.value]),
      [["cleanup.policy", "compact"]],
    );
    assert.equal(manual.numPartitions, -1);
    assert.deepEqual(
      manual.assignments.map((a) => [a.partitionIndex, a.brokerIds]),
      [[0, [1, 2]]],
    );
    assert.equal(body.timeoutMs, 5000);
    assert.equal(body.validateOnly, false);
  });

  it("DeleteTopics, FindCoordinator, JoinGroup, OffsetCommit, OffsetFetch and DescribeConfigs decode their key fields", () => {
    const del = golden("DeleteTopics-v1").body as DeleteTopicsRequest;
    assert.deepEqual(del.topicNames, ["orders", "payments"]);
    assert.equal(del.timeoutMs, 5000);

    const find = golden("FindCoordinator-v2").body as FindCoordinatorRequest;
    assert.equal(find.key, "group-1");
    assert.equal(find.keyType, 0);

    const join = golden("JoinGroup-v5").body as JoinGroupRequest;
    assert.equal(join.groupId, "group-1");
    assert.equal(join.sessionTimeoutMs, 30000);
    assert.equal(join.rebalanceTimeoutMs, 60000);
    assert.equal(join.memberId, "");
    assert.equal(join.groupInstanceId, null);
    assert.equal(join.protocolType, "consumer");
    assert.equal(join.protocols[0].name, "RoundRobinAssigner");

    const commit = golden("OffsetCommit-v5").body as OffsetCommitRequest;
    assert.equal(commit.groupId, "group-1");
    assert.equal(commit.generationIdOrMemberEpoch, 1);
    assert.equal(commit.memberId, "member-1");
    assert.equal(commit.topics[0].name, "orders");
    assert.equal(commit.topics[0].partitions[0].partitionIndex, 2);
    assert.equal(commit.topics[0].partitions[0].committedOffset, 42n);
    assert.equal(commit.topics[0].partitions[0].committedMetadata, null);
    const commitV1 = golden("OffsetCommit-v1").body as OffsetCommitRequest;
    assert.equal(commitV1.topics[0].partitions[0].commitTimestamp, 1700000000000n);

    const fetch = golden("OffsetFetch-v4").body as OffsetFetchRequest;
    assert.equal(fetch.groupId, "group-1");
    assert.equal(fetch.topics?.[0].name, "orders");
    assert.deepEqual(fetch.topics?.[0].partitionIndexes, [2]);

    const configs = golden("DescribeConfigs-v2").body as DescribeConfigsRequest;
    assert.equal(configs.resources[0].resourceType, 2);
    assert.equal(configs.resources[0].resourceName, "orders");
    assert.deepEqual(configs.resources[0].configurationKeys, ["retention.ms"]);
    assert.equal(configs.includeSynonyms, true);
  });
});

describe("request frames captured from kcat (test/fixtures/golden/kcat/<ApiName>-v<N>-request.hex)", () => {
  const kcat = loadGoldenFrames("kcat");
  if (kcat.length === 0) {
    it("none captured yet", { skip: "add kcat frames to test/fixtures/golden/kcat/" }, () => {});
  }
  for (const g of kcat) {
    it(`${g.file}: header and body decode and re-encode to the identical bytes`, () => {
      checkFrame(g);
    });
  }
  for (const g of kcat.filter((frame) => frame.api === "Produce")) {
    it(`${g.file}: its record batch passes produce validation and holds the 20 keyed records capture-kcat.ts sent`, () => {
      const body = checkFrame(g).body as ProduceRequest;
      const records = body.topicData[0].partitionData[0].records!;
      validateProducedRecords(records, { maxMessageBytes: 1 << 20 });
      const decoded = decodeRecordBatches(records).flatMap((batch) => batch.records);
      assert.equal(decoded.length, 20);
      decoded.forEach((record, i) => {
        assert.equal(record.key?.toString(), `key-${i}`);
        assert.ok(record.value?.toString().startsWith(`value-${i} lorem ipsum`));
        assert.deepEqual(
          record.headers.map((h) => [h.key, h.value?.toString()]),
          [["trace-id", "abc"]],
        );
      });
    });
  }
});
