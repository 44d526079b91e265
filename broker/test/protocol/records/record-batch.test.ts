import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, KafkaError, type ErrorCodeName } from "../../../src/protocol/errors";
import { Attributes, BatchHeader, CompressionType } from "../../../src/protocol/records/batch-header";
import { crc32c } from "../../../src/protocol/records/crc32c";
import {
  computeBatchCrc,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  recordTimestamp,
  type RecordInput,
} from "../../../src/protocol/records/record-batch";

function throwsKafka(fn: () => unknown, code: ErrorCodeName, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof KafkaError, `expected a KafkaError, got ${String(error)}`);
    assert.equal(error.code, ErrorCode[code], `expected ${code}, got code ${error.code}: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

const CODECS = [
  ["none", CompressionType.NONE],
  ["gzip", CompressionType.GZIP],
  ["snappy", CompressionType.SNAPPY],
  ["lz4", CompressionType.LZ4],
  ["zstd", CompressionType.ZSTD],
] as const;

function fixCrc(batch: Buffer, at = 0): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, at), at + BatchHeader.CRC);
  return batch;
}

const sample: RecordInput[] = [
  { key: "key-0", value: "value-0", timestamp: 1_700_000_000_000, headers: [{ key: "trace", value: "abc" }] },
  { key: null, value: null, timestamp: 1_700_000_000_500 },
  { value: Buffer.alloc(0), timestamp: 1_699_999_999_000, headers: [{ key: "h", value: null }, { key: "h", value: "dup" }, { key: "ünï", value: Buffer.from([0, 255]) }] },
  { key: Buffer.from([1, 2, 3]), value: "v", timestamp: 1_700_000_000_100 },
];

describe("record batches: encode and decode", () => {
  for (const [name, compression] of CODECS) {
    it(`${name}: round trip of keys, values, nulls and headers`, () => {
      const batch = encodeRecordBatch({
    now: Date.now(),
        compression,
        baseOffset: 1234,
        partitionLeaderEpoch: 7,
        producerId: 99,
        producerEpoch: 3,
        baseSequence: 41,
        isTransactional: true,
        records: sample,
      });
      const decoded = decodeRecordBatch(batch);
      assert.equal(decoded.baseOffset, 1234);
      assert.equal(decoded.partitionLeaderEpoch, 7);
      assert.equal(decoded.magic, 2);
      assert.equal(decoded.crc, batch.readUInt32BE(BatchHeader.CRC));
      assert.equal(decoded.attributes, compression | Attributes.TRANSACTIONAL);
      assert.equal(decoded.lastOffsetDelta, 3);
      assert.equal(decoded.baseTimestamp, 1_700_000_000_000, "the first record's timestamp");
      assert.equal(decoded.maxTimestamp, 1_700_000_000_500);
      assert.equal(decoded.producerId, 99);
      assert.equal(decoded.producerEpoch, 3);
      assert.equal(decoded.baseSequence, 41);
      assert.equal(decoded.records.length, sample.length);
      decoded.records.forEach((record, i) => {
        const input = sample[i];
        assert.equal(record.offsetDelta, i);
        assert.equal(record.attributes, 0);
        assert.equal(recordTimestamp(decoded, record), input.timestamp);
        const asBuffer = (v: Buffer | string | null | undefined) => (v == null ? null : Buffer.from(v));
        assert.deepEqual(record.key, asBuffer(input.key));
        assert.deepEqual(record.value, asBuffer(input.value));
        assert.deepEqual(
          record.headers,
          (input.headers ?? []).map((h) => ({ key: h.key, value: asBuffer(h.value) })),
        );
      });
    });

    it(`${name}: many records`, () => {
      const records = Array.from({ length: 5000 }, (_, i) => ({ key: `k${i}`, value: `value ${i}`.repeat(i % 7), timestamp: 1000 + i }));
      const decoded = decodeRecordBatch(encodeRecordBatch({ now: Date.now(), compression, records }));
      assert.equal(decoded.records.length, 5000);
      assert.equal(decoded.lastOffsetDelta, 4999);
      assert.equal(decoded.maxTimestamp, 5999);
      assert.equal(decoded.records[4321].value!.toString(), "value 4321".repeat(4321 % 7));
      assert.equal(decoded.records[4321].timestampDelta, 4321);
    });
  }

  it("header-only records and defaults (producer id -1, epoch -1, sequence -1, leader epoch -1)", () => {
    const before = Date.now();
    const batch = encodeRecordBatch({ now: Date.now(), records: [{ value: null, headers: [{ key: "only", value: "header" }] }] });
    const decoded = decodeRecordBatch(batch);
    assert.ok(decoded.baseTimestamp >= before && decoded.baseTimestamp <= Date.now());
    assert.equal(decoded.maxTimestamp, decoded.baseTimestamp);
    assert.equal(decoded.producerId, -1);
    assert.equal(decoded.producerEpoch, -1);
    assert.equal(decoded.baseSequence, -1);
    assert.equal(decoded.partitionLeaderEpoch, -1);
    assert.equal(decoded.baseOffset, 0);
    assert.deepEqual(decoded.records[0].headers, [{ key: "only", value: Buffer.from("header") }]);
    assert.equal(decoded.records[0].key, null);
    assert.equal(decoded.records[0].value, null);
  });

  it("attribute options: control, LogAppendTime, raw attributes", () => {
    const control = decodeRecordBatch(encodeRecordBatch({ now: Date.now(), isControl: true, isTransactional: true, records: [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }] }));
    assert.equal(control.attributes, Attributes.CONTROL | Attributes.TRANSACTIONAL);
    const appended = decodeRecordBatch(encodeRecordBatch({ now: Date.now(), timestampType: "LogAppendTime", maxTimestamp: 42, records: [{ value: "x", timestamp: 7 }] }));
    assert.equal(appended.attributes, Attributes.TIMESTAMP_TYPE_LOG_APPEND);
    assert.equal(recordTimestamp(appended, appended.records[0]), 42);
    const raw = decodeRecordBatch(encodeRecordBatch({ now: Date.now(), attributes: CompressionType.GZIP | Attributes.TRANSACTIONAL, isTransactional: false, records: [{ value: "x" }] }));
    assert.equal(raw.attributes, CompressionType.GZIP);
    throwsKafka(() => encodeRecordBatch({ now: Date.now(), compression: 5, records: [{ value: "x" }] }), "UNSUPPORTED_COMPRESSION_TYPE");
  });

  it("an empty batch (as compaction leaves) encodes and decodes", () => {
    for (const [, compression] of CODECS) {
      const batch = encodeRecordBatch({ now: Date.now(), compression, baseTimestamp: 5, lastOffsetDelta: 9, records: [] });
      assert.equal(batch.length, BatchHeader.SIZE);
      const decoded = decodeRecordBatch(batch);
      assert.equal(decoded.records.length, 0);
      assert.equal(decoded.lastOffsetDelta, 9);
    }
  });

  it("explicit offset deltas and negative timestamp deltas", () => {
    const decoded = decodeRecordBatch(
      encodeRecordBatch({ now: Date.now(), baseTimestamp: 10_000, records: [{ value: "a", offsetDelta: 0, timestamp: 5 }, { value: "b", offsetDelta: 300, timestamp: 2 ** 45 }] }),
    );
    assert.equal(decoded.lastOffsetDelta, 300);
    assert.deepEqual(decoded.records.map((r) => [r.offsetDelta, r.timestampDelta]), [[0, 5 - 10_000], [300, 2 ** 45 - 10_000]]);
    assert.equal(decoded.maxTimestamp, 2 ** 45);
  });

  it("the CRC is CRC-32C over attributes..end, and baseOffset/leader epoch are outside it", () => {
    const batch = encodeRecordBatch({ now: Date.now(), records: sample });
    assert.equal(batch.readUInt32BE(BatchHeader.CRC), crc32c(batch.subarray(BatchHeader.CRC_START)));
    // A known CRC-32C vector.
    assert.equal(crc32c(Buffer.from("123456789")), 0xe3069283);
    batch.writeBigInt64BE(77n, 0);
    batch.writeInt32BE(9, BatchHeader.PARTITION_LEADER_EPOCH);
    assert.equal(decodeRecordBatch(batch).baseOffset, 77);
  });
});

describe("record batches: decoding failures", () => {
  const good = () => encodeRecordBatch({ now: Date.now(), records: sample });

  it("CRC mismatch", () => {
    const batch = good();
    batch[BatchHeader.SIZE + 3] ^= 1;
    throwsKafka(() => decodeRecordBatch(batch), "CORRUPT_MESSAGE", /CRC mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)/);
    // ...which a caller may skip
    assert.doesNotThrow(() => decodeRecordBatch(batch, { verifyCrc: false }));
  });

  it("wrong magic, short header, bad length, trailing bytes", () => {
    const batch = good();
    batch[BatchHeader.MAGIC] = 1;
    throwsKafka(() => decodeRecordBatch(batch), "UNSUPPORTED_FOR_MESSAGE_FORMAT");
    throwsKafka(() => decodeRecordBatch(good().subarray(0, 40)), "CORRUPT_MESSAGE");
    throwsKafka(() => decodeRecordBatch(good().subarray(0, good().length - 1)), "CORRUPT_MESSAGE");
    throwsKafka(() => decodeRecordBatch(Buffer.concat([good(), Buffer.alloc(3)])), "CORRUPT_MESSAGE", /follow/);
  });

  it("record count disagreeing with the records", () => {
    const more = good();
    more.writeInt32BE(5, BatchHeader.RECORD_COUNT);
    throwsKafka(() => decodeRecordBatch(fixCrc(more)), "INVALID_RECORD", /declares 5 records but holds 4/);
    const fewer = good();
    fewer.writeInt32BE(3, BatchHeader.RECORD_COUNT);
    throwsKafka(() => decodeRecordBatch(fixCrc(fewer)), "INVALID_RECORD", /follow the 3 records/);
    const huge = good();
    huge.writeInt32BE(0x7fffffff, BatchHeader.RECORD_COUNT);
    throwsKafka(() => decodeRecordBatch(fixCrc(huge)), "INVALID_RECORD");
  });

  it("a record whose length overruns the batch", () => {
    const batch = good();
    batch[BatchHeader.SIZE] = 0x7e; // zig-zag 63
    throwsKafka(() => decodeRecordBatch(fixCrc(batch)), "CORRUPT_MESSAGE", /record 0/);
  });
});

describe("record batches: several in a blob", () => {
  it("decodes consecutive batches and ignores a trailing partial one", () => {
    const a = encodeRecordBatch({ now: Date.now(), baseOffset: 0, records: [{ value: "a" }, { value: "b" }] });
    const b = encodeRecordBatch({ now: Date.now(), baseOffset: 2, compression: CompressionType.ZSTD, records: [{ value: "c" }] });
    const c = encodeRecordBatch({ now: Date.now(), baseOffset: 3, records: [{ value: "d" }] });
    const blob = Buffer.concat([a, b, c]);
    assert.deepEqual(decodeRecordBatches(blob).map((batch) => batch.baseOffset), [0, 2, 3]);
    for (const cut of [1, 5, 12, 17, 30, 61, c.length - 1]) {
      const batches = decodeRecordBatches(blob.subarray(0, blob.length - c.length + cut));
      assert.deepEqual(batches.map((batch) => batch.baseOffset), [0, 2], `cut at ${cut}`);
    }
    assert.deepEqual(decodeRecordBatches(Buffer.alloc(0)), []);
  });

  it("a corrupt batch in the middle is an error, not a stop", () => {
    const a = encodeRecordBatch({ now: Date.now(), records: [{ value: "a" }] });
    const b = encodeRecordBatch({ now: Date.now(), records: [{ value: "b" }] });
    b[b.length - 1] ^= 1;
    throwsKafka(() => decodeRecordBatches(Buffer.concat([a, b])), "CORRUPT_MESSAGE", new RegExp(`batch at byte ${a.length}: CRC`));
  });
});
