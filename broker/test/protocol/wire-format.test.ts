import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ApiVersionsResponse,
  type CreateTopicsResponse,
  type DescribeTopicPartitionsRequest,
  type FetchResponse,
  type MetadataRequest,
  type RequestHeader,
  readApiVersionsResponse,
  readCreateTopicsResponse,
  readDescribeTopicPartitionsRequest,
  readFetchRequest,
  readFetchResponse,
  readMetadataRequest,
  readRequestHeader,
  requestHeaderVersion,
  responseHeaderVersion,
  writeApiVersionsRequest,
  writeApiVersionsResponse,
  writeDescribeTopicPartitionsRequest,
  writeFetchResponse,
  writeMetadataRequest,
  writeRequestHeader,
  writeResponseHeader,
  ApiKey,
  API_MESSAGES,
} from "../../src/protocol/generated";
import { ProtocolError } from "../../src/protocol/errors";
import { Reader } from "../../src/protocol/reader";
import { Writer } from "../../src/protocol/writer";

/** Hex with spaces and comments (`# ...` to the end of the line) for readability. */
function hex(text: string): string {
  return text.replace(/#[^\n]*/g, "").replace(/\s+/g, "");
}

function bytesOf(write: (w: Writer) => void): string {
  const w = new Writer();
  write(w);
  return w.toBuffer().toString("hex");
}

const metadataAll: MetadataRequest = {
  topics: null,
  allowAutoTopicCreation: true,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
};

const partition = (extra: Partial<FetchResponse["responses"][0]["partitions"][0]> = {}) => ({
  partitionIndex: 0,
  errorCode: 0,
  highWatermark: 10n,
  lastStableOffset: -1n,
  logStartOffset: 0n,
  divergingEpoch: { epoch: -1, endOffset: -1n },
  currentLeader: { leaderId: -1, leaderEpoch: -1 },
  snapshotId: { endOffset: -1n, epoch: -1 },
  abortedTransactions: null,
  preferredReadReplica: -1,
  records: null,
  ...extra,
});

describe("flexible versions on the wire (hand-derived from the protocol specs)", () => {
  it("request header v2 keeps ClientId a non-compact nullable string and ends with an empty tagged section", () => {
    const header: RequestHeader = { requestApiKey: 18, requestApiVersion: 3, correlationId: 7, clientId: "ab" };
    const bytes = bytesOf((w) => {
      writeRequestHeader(w, 2, header);
      writeApiVersionsRequest(w, 3, { clientSoftwareName: "x", clientSoftwareVersion: "1.0" });
    });
    assert.equal(
      bytes,
      hex(`0012 0003 00000007   # api key, version, correlation id
           0002 6162            # client id: int16 length + bytes
           00                   # header tagged fields
           02 78                # compact string "x"
           04 312e30            # compact string "1.0"
           00                   # body tagged fields`),
    );
    const r = new Reader(Buffer.from(bytes, "hex"));
    assert.deepEqual(readRequestHeader(r, 2), header);
  });

  it("request header v1 has the nullable ClientId and no tagged section; v0 has no ClientId", () => {
    assert.equal(
      bytesOf((w) => writeRequestHeader(w, 1, { requestApiKey: 3, requestApiVersion: 1, correlationId: 1, clientId: null })),
      hex("0003 0001 00000001 ffff"),
    );
    assert.equal(
      bytesOf((w) => writeRequestHeader(w, 0, { requestApiKey: 7, requestApiVersion: 0, correlationId: 1, clientId: "x" })),
      hex("0007 0000 00000001"),
    );
    assert.deepEqual(readRequestHeader(new Reader(Buffer.from(hex("0007 0000 00000001"), "hex")), 0), {
      requestApiKey: 7,
      requestApiVersion: 0,
      correlationId: 1,
      clientId: "", // absent in v0 and not nullable there: the string's zero value
    });
  });

  it("response header v1 ends with a tagged section, v0 does not", () => {
    assert.equal(bytesOf((w) => writeResponseHeader(w, 0, { correlationId: 9 })), "00000009");
    assert.equal(bytesOf((w) => writeResponseHeader(w, 1, { correlationId: 9 })), "0000000900");
  });

  it("tagged fields are written in ascending tag order and only when they differ from their defaults", () => {
    const base: ApiVersionsResponse = {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    const body = hex(`0000                 # error code
                      02 0000 0000 000b 00 # one api key (compact array), its tagged fields
                      00000000             # throttle time`);
    assert.equal(
      bytesOf((w) => writeApiVersionsResponse(w, 3, base)),
      body + "00",
    );
    const set = { ...base, zkMigrationReady: true, finalizedFeaturesEpoch: 5n };
    const bytes = bytesOf((w) => writeApiVersionsResponse(w, 3, set));
    assert.equal(
      bytes,
      body +
        hex(`02                          # two tagged fields
             01 08 0000000000000005      # tag 1 FinalizedFeaturesEpoch, 8 bytes
             03 01 01                    # tag 3 ZkMigrationReady, 1 byte`),
    );
    assert.deepEqual(readApiVersionsResponse(new Reader(Buffer.from(bytes, "hex")), 3), set);
  });

  it("a tagged struct (FetchResponse v12 CurrentLeader) is written with its size and read back", () => {
    const m: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        { topic: "t", topicId: Buffer.alloc(16), partitions: [partition({ currentLeader: { leaderId: 1, leaderEpoch: 2 } })] },
      ],
      nodeEndpoints: [],
    };
    const bytes = bytesOf((w) => writeFetchResponse(w, 12, m));
    assert.equal(
      bytes,
      hex(`00000000 0000 00000000      # throttle, error, session id
           02 02 74                    # one topic, compact string "t" (TopicId only from v13)
           02                          # one partition
           00000000 0000               # index, error
           000000000000000a            # high watermark
           ffffffffffffffff            # last stable offset
           0000000000000000            # log start offset
           00                          # aborted transactions: null compact array
           ffffffff                    # preferred read replica
           00                          # records: null compact bytes
           01 01 09 00000001 00000002 00  # tagged: CurrentLeader (tag 1), 9 bytes
           00                          # topic tagged fields
           00                          # message tagged fields`),
    );
    assert.deepEqual(readFetchResponse(new Reader(Buffer.from(bytes, "hex")), 12), m);
  });

  it("unknown tagged fields survive a decode/encode round trip byte for byte, in tag order with known ones", () => {
    const m: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: "t",
          topicId: Buffer.alloc(16),
          partitions: [
            partition({
              currentLeader: { leaderId: 1, leaderEpoch: 2 },
              _unknownTaggedFields: [
                { tag: 0x7f, data: Buffer.from("beef", "hex") },
                { tag: 0x80, data: Buffer.from("") },
              ],
            }),
          ],
        },
      ],
      nodeEndpoints: [],
      _unknownTaggedFields: [{ tag: 5, data: Buffer.from("01", "hex") }],
    };
    const bytes = Buffer.from(bytesOf((w) => writeFetchResponse(w, 12, m)), "hex");
    const tail = hex(`03 01 09 00000001 00000002 00  7f 02 beef  8001 00   # tags 1, 127, 128 (varint 80 01)
                      00                                               # topic tagged fields
                      01 05 01 01                                      # message: unknown tag 5`);
    assert.equal(bytes.subarray(bytes.length - tail.length / 2).toString("hex"), tail);
    const decoded = readFetchResponse(new Reader(bytes), 12);
    assert.deepEqual(decoded, m);
    assert.equal(bytesOf((w) => writeFetchResponse(w, 12, decoded)), bytes.toString("hex"));
  });

  it("a tag that a version does not know yet is kept as unknown (FetchRequest ReplicaState is tag 1 only from v15)", () => {
    const w = new Writer();
    // v12 FetchRequest: replica id, max wait, min bytes, max bytes, isolation, session id/epoch, no topics, no forgotten, rack "".
    w.writeInt32(-1).writeInt32(500).writeInt32(1).writeInt32(1024).writeInt8(0).writeInt32(0).writeInt32(-1);
    w.writeCompactArrayLength(0).writeCompactArrayLength(0).writeCompactString("");
    w.writeUnsignedVarint(1).writeUnsignedVarint(1).writeUnsignedVarint(1).writeInt8(0);
    const decoded = readFetchRequest(new Reader(w.toBuffer()), 12);
    assert.deepEqual(decoded._unknownTaggedFields, [{ tag: 1, data: Buffer.from([0]) }]);
    assert.deepEqual(decoded.replicaState, { replicaId: -1, replicaEpoch: -1n });
  });

  it("a nullable struct is an int8 marker: -1 for null, 1 then the struct", () => {
    const none: DescribeTopicPartitionsRequest = { topics: [{ name: "a" }], responsePartitionLimit: 2000, cursor: null };
    assert.equal(
      bytesOf((w) => writeDescribeTopicPartitionsRequest(w, 0, none)),
      hex("02 02 61 00   000007d0   ff   00"),
    );
    const some: DescribeTopicPartitionsRequest = { ...none, cursor: { topicName: "a", partitionIndex: 3 } };
    const bytes = bytesOf((w) => writeDescribeTopicPartitionsRequest(w, 0, some));
    assert.equal(bytes, hex("02 02 61 00   000007d0   01 02 61 00000003 00   00"));
    assert.deepEqual(readDescribeTopicPartitionsRequest(new Reader(Buffer.from(bytes, "hex")), 0), some);
  });

  it("fields a version lacks read as their defaults, null where the spec makes them nullable in that version", () => {
    // FetchRequest v0: replica id, max wait, min bytes, empty topics.
    const v0 = readFetchRequest(new Reader(Buffer.from(hex("ffffffff 000001f4 00000001 00000000"), "hex")), 0);
    assert.equal(v0.maxBytes, 0x7fffffff);
    assert.equal(v0.isolationLevel, 0);
    assert.equal(v0.sessionEpoch, -1);
    assert.equal(v0.rackId, "");
    assert.equal(v0.clusterId, null);
    assert.deepEqual(v0.forgottenTopicsData, []);
    // CreateTopicsResponse v0: ErrorMessage is "versions 1+" but "nullableVersions 0+".
    const body = hex("00000001 0001 61 0000");
    const created: CreateTopicsResponse = readCreateTopicsResponse(new Reader(Buffer.from(body, "hex")), 0);
    assert.equal(created.topics[0].name, "a");
    assert.equal(created.topics[0].errorMessage, null);
    assert.equal(created.topics[0].numPartitions, -1);
  });

  it("null where the version does not allow it is a ProtocolError when reading and when writing", () => {
    // MetadataRequest Topics: "versions 0+", "nullableVersions 1+".
    assert.deepEqual(readMetadataRequest(new Reader(Buffer.from("ffffffff", "hex")), 1).topics, null);
    assert.throws(() => readMetadataRequest(new Reader(Buffer.from("ffffffff", "hex")), 0), ProtocolError);
    assert.equal(bytesOf((w) => writeMetadataRequest(w, 1, metadataAll)), "ffffffff");
    assert.throws(() => writeMetadataRequest(new Writer(), 0, metadataAll), ProtocolError);
  });
});

describe("api message table", () => {
  it("lists every api key with its version range, flexible versions and listeners", () => {
    assert.equal(API_MESSAGES.size, 88);
    const produce = API_MESSAGES.get(ApiKey.Produce)!;
    assert.deepEqual(
      { name: produce.name, min: produce.minVersion, max: produce.maxVersion, flex: produce.flexibleMinVersion },
      { name: "Produce", min: 0, max: 11, flex: 9 },
    );
    assert.deepEqual(API_MESSAGES.get(ApiKey.Fetch)!.listeners, ["zkBroker", "broker", "controller"]);
    assert.equal(API_MESSAGES.get(ApiKey.ControlledShutdown)!.flexibleMinVersion, 3);
    assert.equal(ApiKey.ApiVersions, 18);
    assert.equal(ApiKey.DescribeTopicPartitions, 75);
  });

  it("picks header versions: 2/1 for flexible versions, 1/0 before, ControlledShutdown v0 request header 0, ApiVersions response header 0", () => {
    assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1);
    assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2);
    assert.equal(responseHeaderVersion(ApiKey.Produce, 8), 0);
    assert.equal(responseHeaderVersion(ApiKey.Produce, 9), 1);
    assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
    assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 1), 1);
    assert.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
    assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  });
});
