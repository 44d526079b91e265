import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, KafkaError, type ErrorCodeName } from "../../../src/protocol/errors";
import { Attributes, BatchHeader, CompressionType } from "../../../src/protocol/records/batch-header";
import { compress } from "../../../src/protocol/records/compression";
import {
  computeBatchCrc,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  stampBatch,
  validateProducedRecords,
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

const limits = { maxMessageBytes: 1 << 20 };

function fixCrc(batch: Buffer, at = 0): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, at), at + BatchHeader.CRC);
  return batch;
}

const records = (n: number): RecordInput[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `value-${i}`, timestamp: 1000 + i }));

/** The records region of an uncompressed batch of these records (to tamper with). */
function region(input: RecordInput[]): Buffer {
  return Buffer.from(encodeRecordBatch({ now: Date.now(), records: input }).subarray(BatchHeader.SIZE));
}

/** A batch around a given records region, with header fields as given and a valid CRC. */
function assemble(
  payload: Buffer,
  opts: { compression?: number; recordCount: number; lastOffsetDelta?: number; producerId?: number; baseSequence?: number },
): Buffer {
  const header = encodeRecordBatch({
    now: Date.now(),
    compression: opts.compression ?? 0,
    records: [],
    baseTimestamp: 1000,
    producerId: opts.producerId,
    baseSequence: opts.baseSequence,
  });
  const batch = Buffer.concat([header, payload]);
  batch.writeInt32BE(batch.length - BatchHeader.LOG_OVERHEAD, BatchHeader.BATCH_LENGTH);
  batch.writeInt32BE(opts.recordCount, BatchHeader.RECORD_COUNT);
  batch.writeInt32BE(opts.lastOffsetDelta ?? opts.recordCount - 1, BatchHeader.LAST_OFFSET_DELTA);
  return fixCrc(batch);
}

describe("validateProducedRecords: accepted batches", () => {
  it("describes each batch of a blob", () => {
    const a = encodeRecordBatch({ now: Date.now(), records: records(3), producerId: 5, producerEpoch: 2, baseSequence: 10 });
    const b = encodeRecordBatch({ now: Date.now(), compression: CompressionType.LZ4, isTransactional: true, records: records(2), producerId: 5, producerEpoch: 2, baseSequence: 13 });
    const validated = validateProducedRecords(Buffer.concat([a, b]), limits);
    assert.deepEqual(validated, [
      { at: 0, bytes: a.length, recordCount: 3, lastOffsetDelta: 2, maxTimestamp: 1002, baseTimestamp: 1000, attributes: 0, producerId: 5, producerEpoch: 2, baseSequence: 10, compression: 0 },
      {
        at: a.length,
        bytes: b.length,
        recordCount: 2,
        lastOffsetDelta: 1,
        maxTimestamp: 1001,
        baseTimestamp: 1000,
        attributes: CompressionType.LZ4 | Attributes.TRANSACTIONAL,
        producerId: 5,
        producerEpoch: 2,
        baseSequence: 13,
        compression: CompressionType.LZ4,
      },
    ]);
  });

  it("every codec", () => {
    for (const compression of [0, 1, 2, 3, 4]) {
      const [v] = validateProducedRecords(encodeRecordBatch({ now: Date.now(), compression, records: records(50) }), limits);
      assert.equal(v.recordCount, 50);
      assert.equal(v.compression, compression);
    }
  });

  it("a batch of exactly maxMessageBytes", () => {
    const batch = encodeRecordBatch({ now: Date.now(), records: records(4) });
    assert.equal(validateProducedRecords(batch, { maxMessageBytes: batch.length }).length, 1);
  });
});

describe("validateProducedRecords: rejected batches", () => {
  const good = () => encodeRecordBatch({ now: Date.now(), records: records(3) });

  it("no batch at all", () => {
    throwsKafka(() => validateProducedRecords(Buffer.alloc(0), limits), "INVALID_RECORD");
  });

  it("fewer bytes than the 61-byte header", () => {
    throwsKafka(() => validateProducedRecords(good().subarray(0, 60), limits), "CORRUPT_MESSAGE", /fewer than the 61-byte/);
    throwsKafka(() => validateProducedRecords(good().subarray(0, 10), limits), "CORRUPT_MESSAGE");
    // after a good batch too
    throwsKafka(() => validateProducedRecords(Buffer.concat([good(), good().subarray(0, 30)]), limits), "CORRUPT_MESSAGE", /batch at byte \d+/);
  });

  it("a truncated last batch is CORRUPT_MESSAGE, not ignored", () => {
    const blob = Buffer.concat([good(), good()]);
    throwsKafka(() => validateProducedRecords(blob.subarray(0, blob.length - 1), limits), "CORRUPT_MESSAGE", /truncated/);
  });

  it("a batchLength shorter than the header", () => {
    const batch = good();
    batch.writeInt32BE(20, BatchHeader.BATCH_LENGTH);
    throwsKafka(() => validateProducedRecords(batch, limits), "CORRUPT_MESSAGE", /batchLength 20/);
    batch.writeInt32BE(-1, BatchHeader.BATCH_LENGTH);
    throwsKafka(() => validateProducedRecords(batch, limits), "CORRUPT_MESSAGE");
  });

  it("magic other than 2, including short legacy messages", () => {
    const batch = good();
    batch[BatchHeader.MAGIC] = 1;
    throwsKafka(() => validateProducedRecords(batch, limits), "UNSUPPORTED_FOR_MESSAGE_FORMAT", /magic 1/);
    // a magic-0 message set entry: offset, size, crc, magic 0, attributes, key -1, value -1 (26 bytes)
    const legacy = Buffer.alloc(26);
    legacy.writeInt32BE(14, 8);
    legacy.writeInt32BE(-1, 18);
    legacy.writeInt32BE(-1, 22);
    throwsKafka(() => validateProducedRecords(legacy, limits), "UNSUPPORTED_FOR_MESSAGE_FORMAT", /magic 0/);
  });

  it("a batch over maxMessageBytes", () => {
    const batch = good();
    throwsKafka(() => validateProducedRecords(batch, { maxMessageBytes: batch.length - 1 }), "MESSAGE_TOO_LARGE", /exceeds max.message.bytes/);
  });

  it("CRC mismatch", () => {
    const batch = good();
    batch[batch.length - 1] ^= 0x40;
    throwsKafka(() => validateProducedRecords(batch, limits), "CORRUPT_MESSAGE", /^batch at byte 0: CRC mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/);
    const attributes = good();
    attributes[BatchHeader.ATTRIBUTES + 1] |= Attributes.TRANSACTIONAL;
    throwsKafka(() => validateProducedRecords(attributes, limits), "CORRUPT_MESSAGE", /CRC mismatch/);
  });

  it("record count below 1 or disagreeing with lastOffsetDelta", () => {
    throwsKafka(() => validateProducedRecords(assemble(region(records(1)), { recordCount: 0, lastOffsetDelta: 0 }), limits), "INVALID_RECORD", /record count 0/);
    throwsKafka(() => validateProducedRecords(assemble(region(records(3)), { recordCount: 3, lastOffsetDelta: 5 }), limits), "INVALID_RECORD", /lastOffsetDelta 5/);
    throwsKafka(() => validateProducedRecords(assemble(region(records(3)), { recordCount: -3, lastOffsetDelta: -4 }), limits), "INVALID_RECORD");
  });

  it("an empty records region (header-only batch)", () => {
    throwsKafka(() => validateProducedRecords(assemble(Buffer.alloc(0), { recordCount: 1 }), limits), "INVALID_RECORD", /no record bytes/);
    throwsKafka(() => validateProducedRecords(assemble(Buffer.alloc(0), { compression: CompressionType.GZIP, recordCount: 1 }), limits), "INVALID_RECORD");
  });

  it("uncompressed: a record count that the record framing contradicts", () => {
    throwsKafka(() => validateProducedRecords(assemble(region(records(3)), { recordCount: 4 }), limits), "INVALID_RECORD", /declares 4 records but holds 3/);
    throwsKafka(() => validateProducedRecords(assemble(region(records(3)), { recordCount: 2 }), limits), "INVALID_RECORD", /follow the 2 records/);
    const overrun = region(records(3));
    overrun[0] = 0x7e;
    throwsKafka(() => validateProducedRecords(assemble(overrun, { recordCount: 3 }), limits), "CORRUPT_MESSAGE", /record 0/);
  });

  it("compressed: payload that does not decompress", () => {
    for (const compression of [1, 2, 3, 4]) {
      throwsKafka(() => validateProducedRecords(assemble(Buffer.from("not compressed at all"), { compression, recordCount: 1 }), limits), "CORRUPT_MESSAGE", /batch at byte 0/);
    }
  });

  it("compressed: unsupported codec ids", () => {
    for (const compression of [5, 6, 7]) {
      const batch = assemble(region(records(1)), { recordCount: 1 });
      batch.writeInt16BE(compression, BatchHeader.ATTRIBUTES);
      throwsKafka(() => validateProducedRecords(fixCrc(batch), limits), "UNSUPPORTED_COMPRESSION_TYPE");
    }
  });

  it("compressed: record count mismatch, malformed records, wrong offset deltas", () => {
    for (const compression of [1, 2, 3, 4]) {
      const payload = compress(compression, region(records(3)));
      throwsKafka(() => validateProducedRecords(assemble(payload, { compression, recordCount: 4 }), limits), "INVALID_RECORD", /declares 4 records but holds 3/);
      throwsKafka(() => validateProducedRecords(assemble(payload, { compression, recordCount: 2 }), limits), "INVALID_RECORD");
      const malformed = region(records(3));
      malformed[2] = 0x7f; // record 0's timestampDelta: a varlong running into the key
      malformed.fill(0xff, 2, 14);
      throwsKafka(() => validateProducedRecords(assemble(compress(compression, malformed), { compression, recordCount: 3 }), limits), "CORRUPT_MESSAGE", /record 0/);
      const deltas = Buffer.from(encodeRecordBatch({ now: Date.now(), records: records(2).map((r, i) => ({ ...r, offsetDelta: i * 2 })) }).subarray(BatchHeader.SIZE));
      throwsKafka(() => validateProducedRecords(assemble(compress(compression, deltas), { compression, recordCount: 2 }), limits), "INVALID_RECORD", /offsetDelta 2/);
    }
  });

  it("compressed: a payload decompressing beyond decompressedBytesMax", () => {
    const batch = encodeRecordBatch({ now: Date.now(), compression: CompressionType.ZSTD, records: [{ value: Buffer.alloc(4 << 20) }] });
    assert.ok(batch.length < 4096);
    throwsKafka(() => validateProducedRecords(batch, { maxMessageBytes: 1 << 20, decompressedBytesMax: 1 << 20 }), "MESSAGE_TOO_LARGE", /decompresses/);
    assert.equal(validateProducedRecords(batch, { maxMessageBytes: 1 << 20 }).length, 1);
  });

  it("a producer id without a base sequence", () => {
    throwsKafka(() => validateProducedRecords(assemble(region(records(1)), { recordCount: 1, producerId: 7, baseSequence: -1 }), limits), "INVALID_RECORD", /sequence/);
  });

  it("names the failing batch by its byte offset", () => {
    const a = good();
    const b = good();
    b[b.length - 2] ^= 1;
    throwsKafka(() => validateProducedRecords(Buffer.concat([a, b]), limits), "CORRUPT_MESSAGE", new RegExp(`^batch at byte ${a.length}: CRC mismatch`));
  });
});

describe("stampBatch", () => {
  it("writes baseOffset and leader epoch; the CRC stays valid", () => {
    const a = encodeRecordBatch({ now: Date.now(), records: records(3) });
    const b = encodeRecordBatch({ now: Date.now(), compression: CompressionType.SNAPPY, records: records(2) });
    const blob = Buffer.concat([a, b]);
    const [va, vb] = validateProducedRecords(blob, limits);
    stampBatch(blob, va, 100, { partitionLeaderEpoch: 4 });
    stampBatch(blob, vb, 103, { partitionLeaderEpoch: 4 });
    assert.equal(validateProducedRecords(blob, limits).length, 2, "still valid");
    const decoded = decodeRecordBatches(blob);
    assert.deepEqual(decoded.map((d) => [d.baseOffset, d.partitionLeaderEpoch, d.attributes, d.maxTimestamp]), [
      [100, 4, 0, 1002],
      [103, 4, CompressionType.SNAPPY, 1001],
    ]);
  });

  it("with logAppendTimeMs: sets the timestamp type and maxTimestamp and recomputes the CRC", () => {
    const a = encodeRecordBatch({ now: Date.now(), records: records(3) });
    const b = encodeRecordBatch({ now: Date.now(), compression: CompressionType.GZIP, records: records(2) });
    const blob = Buffer.concat([a, b]);
    const [va, vb] = validateProducedRecords(blob, limits);
    const untouched = Buffer.from(blob.subarray(0, a.length));
    stampBatch(blob, vb, 3, { partitionLeaderEpoch: 1, logAppendTimeMs: 1_700_000_123_456 });
    assert.deepEqual(blob.subarray(0, a.length), untouched, "the other batch is not touched");
    assert.equal(vb.maxTimestamp, 1_700_000_123_456);
    assert.equal(vb.attributes, CompressionType.GZIP | Attributes.TIMESTAMP_TYPE_LOG_APPEND);
    stampBatch(blob, va, 0, { partitionLeaderEpoch: 1, logAppendTimeMs: 1_700_000_123_456 });
    const decoded = decodeRecordBatches(blob);
    assert.equal(decoded[1].attributes, CompressionType.GZIP | Attributes.TIMESTAMP_TYPE_LOG_APPEND);
    assert.equal(decoded[1].maxTimestamp, 1_700_000_123_456);
    assert.equal(decoded[1].baseTimestamp, 1000, "baseTimestamp is left as sent");
    assert.deepEqual(validateProducedRecords(blob, limits).map((v) => v.maxTimestamp), [1_700_000_123_456, 1_700_000_123_456]);
    // stamping again without the append time (a later offset assignment) keeps it
    stampBatch(blob, va, 50, { partitionLeaderEpoch: 2 });
    const again = decodeRecordBatch(blob.subarray(0, a.length));
    assert.equal(again.baseOffset, 50);
    assert.equal(again.attributes, Attributes.TIMESTAMP_TYPE_LOG_APPEND);
    assert.equal(again.maxTimestamp, 1_700_000_123_456);
  });
});
