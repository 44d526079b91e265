import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { KafkaError, ProtocolError } from "../../../src/protocol/errors";
import { BatchHeader, CompressionType } from "../../../src/protocol/records/batch-header";
import { compress, decompress } from "../../../src/protocol/records/compression";
import {
  computeBatchCrc,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  recordTimestamp,
  validateProducedRecords,
  type RecordInput,
} from "../../../src/protocol/records/record-batch";

const limits = { maxMessageBytes: 8 << 20, decompressedBytesMax: 8 << 20 };

/** Runs `fn`; any exception other than the protocol layer's two is a failure. */
function onlyProtocolErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (error instanceof KafkaError || error instanceof ProtocolError) return false;
    throw error;
  }
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const utf8 = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => Buffer.from(s, "utf8").toString("utf8") === s);
const codec = fc.constantFrom(0, 1, 2, 3, 4);

const recordArb: fc.Arbitrary<RecordInput> = fc.record(
  {
    key: fc.option(bytes(40), { nil: null }),
    value: fc.option(fc.oneof(bytes(300), fc.string({ maxLength: 30 })), { nil: null }),
    headers: fc.array(fc.record({ key: utf8, value: fc.option(bytes(20), { nil: null }) }), { maxLength: 4 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 42 }),
  },
  { requiredKeys: ["value", "timestamp"] },
);

const batchArb = fc.record({
  compression: codec,
  records: fc.array(recordArb, { minLength: 1, maxLength: 40 }),
  producer: fc.option(
    fc.record({ producerId: fc.integer({ min: 0, max: 2 ** 50 }), producerEpoch: fc.integer({ min: 0, max: 32767 }), baseSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
    { nil: undefined },
  ),
  isTransactional: fc.boolean(),
});

function asBuffer(value: Buffer | string | null | undefined): Buffer | null {
  return value == null ? null : Buffer.from(value);
}

function validBatch(compression: number, n = 5): Buffer {
  return encodeRecordBatch({
    now: Date.now(),
    compression,
    records: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}`.repeat(i), headers: [{ key: "h", value: "x" }] })),
  });
}

describe("record batch properties", () => {
  it("any encoded batch validates and decodes back to the same records", () => {
    fc.assert(
      fc.property(batchArb, ({ compression, records, producer, isTransactional }) => {
        const batch = encodeRecordBatch({ now: Date.now(), compression, records, isTransactional, ...producer });
        const [v, ...rest] = validateProducedRecords(batch, limits);
        assert.equal(rest.length, 0);
        assert.equal(v.recordCount, records.length);
        assert.equal(v.lastOffsetDelta, records.length - 1);
        assert.equal(v.bytes, batch.length);
        assert.equal(v.compression, compression);
        assert.equal(v.maxTimestamp, Math.max(...records.map((r) => r.timestamp!)));
        assert.equal(v.producerId, producer?.producerId ?? -1);
        const decoded = decodeRecordBatch(batch);
        assert.equal(decoded.records.length, records.length);
        decoded.records.forEach((record, i) => {
          const input = records[i];
          assert.equal(record.offsetDelta, i);
          assert.equal(recordTimestamp(decoded, record), input.timestamp);
          assert.deepEqual(record.key, asBuffer(input.key));
          assert.deepEqual(record.value, asBuffer(input.value));
          assert.deepEqual(record.headers, (input.headers ?? []).map((h) => ({ key: h.key, value: asBuffer(h.value) })));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes only ever raise ProtocolError or KafkaError", () => {
    fc.assert(
      fc.property(bytes(300), (blob) => {
        onlyProtocolErrors(() => validateProducedRecords(blob, limits));
        onlyProtocolErrors(() => decodeRecordBatch(blob));
        onlyProtocolErrors(() => decodeRecordBatches(blob));
      }),
      { numRuns: 2000 },
    );
  });

  it("random bytes behind a plausible header (CRC fixed) only raise ProtocolError or KafkaError", () => {
    fc.assert(
      fc.property(codec, fc.integer({ min: -2, max: 50 }), bytes(400), (compression, recordCount, payload) => {
        const batch = Buffer.concat([encodeRecordBatch({ now: Date.now(), compression, records: [] }), payload]);
        batch.writeInt32BE(batch.length - BatchHeader.LOG_OVERHEAD, BatchHeader.BATCH_LENGTH);
        batch.writeInt32BE(recordCount, BatchHeader.RECORD_COUNT);
        batch.writeInt32BE(recordCount - 1, BatchHeader.LAST_OFFSET_DELTA);
        batch.writeUInt32BE(computeBatchCrc(batch), BatchHeader.CRC);
        const validated = onlyProtocolErrors(() => validateProducedRecords(batch, limits));
        const decoded = onlyProtocolErrors(() => decodeRecordBatch(batch));
        // A compressed batch the validator accepts is fully parsed, so it decodes.
        if (validated && compression !== CompressionType.NONE) assert.ok(decoded);
      }),
      { numRuns: 1500 },
    );
  });

  it("truncated batches are CORRUPT_MESSAGE on produce and skipped when fetched", () => {
    fc.assert(
      fc.property(codec, fc.nat(), (compression, cutSeed) => {
        const first = validBatch(compression, 3);
        const second = validBatch(compression, 7);
        const cut = cutSeed % second.length;
        const blob = Buffer.concat([first, second.subarray(0, cut)]);
        if (cut > 0) assert.equal(onlyProtocolErrors(() => validateProducedRecords(blob, limits)), false);
        assert.equal(decodeRecordBatches(blob).length, 1);
        assert.equal(onlyProtocolErrors(() => decodeRecordBatch(second.subarray(0, cut))), false);
      }),
      { numRuns: 500 },
    );
  });

  it("mutated records (CRC fixed), before or after compression, only raise ProtocolError or KafkaError", () => {
    fc.assert(
      fc.property(
        codec,
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (compression, beforeCompression, edits) => {
          const plain = validBatch(CompressionType.NONE, 6);
          let batch: Buffer;
          if (beforeCompression || compression === CompressionType.NONE) {
            const region = Buffer.from(plain.subarray(BatchHeader.SIZE));
            for (const [at, value] of edits) region[at % region.length] = value;
            batch = Buffer.concat([plain.subarray(0, BatchHeader.SIZE), compress(compression, region)]);
          } else {
            const packed = validBatch(compression, 6);
            const region = Buffer.from(packed.subarray(BatchHeader.SIZE));
            for (const [at, value] of edits) region[at % region.length] = value;
            batch = Buffer.concat([packed.subarray(0, BatchHeader.SIZE), region]);
          }
          batch.writeInt16BE(compression, BatchHeader.ATTRIBUTES);
          batch.writeInt32BE(batch.length - BatchHeader.LOG_OVERHEAD, BatchHeader.BATCH_LENGTH);
          batch.writeUInt32BE(computeBatchCrc(batch), BatchHeader.CRC);
          const validated = onlyProtocolErrors(() => validateProducedRecords(batch, limits));
          const decoded = onlyProtocolErrors(() => decodeRecordBatch(batch));
          if (validated && compression !== CompressionType.NONE) assert.ok(decoded);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("codecs: compress/decompress round trip; random input only raises KafkaError", () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 4), bytes(2000), (c, data) => {
        assert.deepEqual(decompress(c, compress(c, data), data.length), data);
        onlyProtocolErrors(() => decompress(c, data, 1 << 20));
      }),
      { numRuns: 1000 },
    );
  });
});
