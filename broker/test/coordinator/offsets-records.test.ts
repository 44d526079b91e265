import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  encodeOffsetValue,
  javaStringHashCode,
  offsetsPartitionFor,
} from "../../src/coordinator/offsets-records";

describe("__consumer_offsets records", () => {
  it("keys use Kafka's layouts: OffsetCommitKey v1 and GroupMetadataKey v2", () => {
    assert.equal(encodeOffsetKey("g", "t", 5).toString("hex"), "0001" + "000167" + "000174" + "00000005");
    assert.equal(encodeGroupKey("g").toString("hex"), "0002" + "000167");
    assert.deepEqual(decodeKey(encodeOffsetKey("group", "topic", 7)), { kind: "offset", group: "group", topic: "topic", partition: 7 });
    assert.deepEqual(decodeKey(encodeGroupKey("group")), { kind: "group", group: "group" });
  });

  it("offset values: v3 with the leader epoch, v1 when an expiry was asked for; v0 and v2 still read", () => {
    const value = { offset: 42, leaderEpoch: 3, metadata: "m", commitTimestampMs: 1000, expireTimestampMs: -1 };
    const v3 = encodeOffsetValue(value);
    assert.equal(v3.toString("hex"), "0003" + "000000000000002a" + "00000003" + "00016d" + "00000000000003e8");
    assert.deepEqual(decodeOffsetValue(v3), value);
    const v1 = encodeOffsetValue({ ...value, expireTimestampMs: 5000 });
    assert.equal(v1.readInt16BE(0), 1);
    assert.deepEqual(decodeOffsetValue(v1), { ...value, leaderEpoch: -1, expireTimestampMs: 5000 });
    const v0 = Buffer.from("0000" + "0000000000000007" + "0000" + "0000000000000001", "hex");
    assert.deepEqual(decodeOffsetValue(v0), { offset: 7, leaderEpoch: -1, metadata: "", commitTimestampMs: 1, expireTimestampMs: -1 });
  });

  it("group values round-trip in v3 (members with group.instance.id, subscription and assignment)", () => {
    const value = {
      protocolType: "consumer",
      generation: 4,
      protocol: "range",
      leader: "m-1",
      currentStateTimestampMs: 123,
      members: [
        {
          memberId: "m-1",
          groupInstanceId: "i-1",
          clientId: "c",
          clientHost: "/127.0.0.1",
          rebalanceTimeoutMs: 30_000,
          sessionTimeoutMs: 10_000,
          subscription: Buffer.from([1, 2]),
          assignment: Buffer.from([3]),
        },
      ],
    };
    const encoded = encodeGroupValue(value);
    assert.equal(encoded.readInt16BE(0), 3);
    assert.deepEqual(decodeGroupValue(encoded), value);
  });

  it("groups are placed like Kafka: abs(String.hashCode) % partitions", () => {
    assert.equal(javaStringHashCode(""), 0);
    assert.equal(javaStringHashCode("hello"), 99162322);
    assert.equal(offsetsPartitionFor("hello", 50), 99162322 % 50);
    assert.equal(javaStringHashCode("polygenelubricants"), -2147483648);
    assert.equal(offsetsPartitionFor("polygenelubricants", 50), 0);
  });
});
