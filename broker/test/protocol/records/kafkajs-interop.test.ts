/**
 * Interop with kafkajs's own record batch encoder and decoder. kafkajs
 * implements gzip only; for snappy, lz4 and zstd its pluggable codec slots
 * are filled with ours, which checks the batch layout around the compressed
 * payload (count, then the compressed records) on both sides.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { before, describe, it } from "node:test";
import { BatchHeader, CompressionType } from "../../../src/protocol/records/batch-header";
import { compress, decompress } from "../../../src/protocol/records/compression";
import {
  decodeRecordBatch,
  encodeRecordBatch,
  recordTimestamp,
  validateProducedRecords,
  type RecordInput,
} from "../../../src/protocol/records/record-batch";

const require = createRequire(import.meta.url);
const kafkajs = require("kafkajs");
const { RecordBatch: kafkajsRecordBatch } = require("kafkajs/src/protocol/recordBatch/v0");
const kafkajsRecord = require("kafkajs/src/protocol/recordBatch/record/v0");
const kafkajsBatchDecoder = require("kafkajs/src/protocol/recordBatch/v0/decoder");
const KafkajsDecoder = require("kafkajs/src/protocol/decoder");
const Long = require("kafkajs/src/utils/long");

const CODECS = [
  ["none", CompressionType.NONE],
  ["gzip", CompressionType.GZIP],
  ["snappy", CompressionType.SNAPPY],
  ["lz4", CompressionType.LZ4],
  ["zstd", CompressionType.ZSTD],
] as const;

before(() => {
  for (const codec of [CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD]) {
    kafkajs.CompressionCodecs[codec] = () => ({
      compress: async (encoder: { buffer: Buffer }) => compress(codec, encoder.buffer),
      decompress: async (buffer: Buffer) => decompress(codec, buffer, 64 << 20),
    });
  }
});

interface Message {
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

const messages: Message[] = Array.from({ length: 300 }, (_, i): Message => ({
  key: i % 5 === 0 ? null : `key-${i}`,
  value: i % 7 === 0 ? null : `value-${i}-${"x".repeat(i % 50)}`,
  timestamp: 1_700_000_000_000 + ((i * 37) % 1000) - 500,
  headers: i % 3 === 0 ? { trace: `t${i}`, other: "" } : {},
}));

/** A batch as kafkajs's producer builds it. */
async function kafkajsEncode(compression: number, baseOffset: number): Promise<Buffer> {
  const firstTimestamp = messages[0].timestamp;
  const records = messages.map((m, i) =>
    kafkajsRecord({
      offsetDelta: i,
      timestampDelta: m.timestamp - firstTimestamp,
      key: m.key,
      value: m.value,
      headers: m.headers,
    }),
  );
  const encoder = await kafkajsRecordBatch({
    compression,
    firstOffset: Long.fromNumber(baseOffset),
    firstTimestamp,
    maxTimestamp: Math.max(...messages.map((m) => m.timestamp)),
    partitionLeaderEpoch: 3,
    lastOffsetDelta: records.length - 1,
    producerId: Long.fromNumber(-1),
    producerEpoch: 0,
    firstSequence: 0,
    records,
  });
  return encoder.buffer;
}

describe("kafkajs interop", () => {
  for (const [name, compression] of CODECS) {
    it(`${name}: batches kafkajs encodes validate and decode`, async () => {
      const batch = await kafkajsEncode(compression, 42);
      const [validated] = validateProducedRecords(batch, { maxMessageBytes: 1 << 20 });
      assert.equal(validated.bytes, batch.length);
      assert.equal(validated.recordCount, messages.length);
      assert.equal(validated.compression, compression);
      const decoded = decodeRecordBatch(batch);
      assert.equal(decoded.baseOffset, 42);
      assert.equal(decoded.partitionLeaderEpoch, 3);
      assert.equal(decoded.maxTimestamp, Math.max(...messages.map((m) => m.timestamp)));
      assert.equal(decoded.records.length, messages.length);
      decoded.records.forEach((record, i) => {
        const m = messages[i];
        assert.equal(record.offsetDelta, i);
        assert.equal(recordTimestamp(decoded, record), m.timestamp);
        assert.equal(record.key?.toString() ?? null, m.key);
        assert.equal(record.value?.toString() ?? null, m.value);
        assert.deepEqual(
          Object.fromEntries(record.headers.map((h) => [h.key, h.value?.toString()])),
          m.headers,
        );
      });
    });

    it(`${name}: batches we encode decode with kafkajs`, async () => {
      const input: RecordInput[] = messages.map((m) => ({
        key: m.key,
        value: m.value,
        timestamp: m.timestamp,
        headers: Object.entries(m.headers).map(([key, value]) => ({ key, value })),
      }));
      const batch = encodeRecordBatch({ now: Date.now(), compression, baseOffset: 1000, partitionLeaderEpoch: 5, producerId: 77, producerEpoch: 1, baseSequence: 9, records: input });
      const decoded = await kafkajsBatchDecoder(new KafkajsDecoder(batch));
      assert.equal(decoded.firstOffset, "1000");
      assert.equal(decoded.partitionLeaderEpoch, 5);
      assert.equal(decoded.producerId, "77");
      assert.equal(decoded.producerEpoch, 1);
      assert.equal(decoded.firstSequence, 9);
      assert.equal(decoded.lastOffsetDelta, messages.length - 1);
      assert.equal(decoded.maxTimestamp, String(Math.max(...messages.map((m) => m.timestamp))));
      assert.equal(decoded.records.length, messages.length);
      decoded.records.forEach((record: any, i: number) => {
        const m = messages[i];
        assert.equal(record.offset, String(1000 + i));
        assert.equal(record.timestamp, String(m.timestamp));
        assert.equal(record.key?.toString() ?? null, m.key);
        assert.equal(record.value?.toString() ?? null, m.value);
        assert.deepEqual(
          Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, (v as Buffer).toString()])),
          m.headers,
        );
      });
    });
  }

  it("our CRC matches kafkajs's CRC-32C for the same bytes", async () => {
    const batch = await kafkajsEncode(CompressionType.NONE, 0);
    const kafkajsCrc32C = require("kafkajs/src/protocol/recordBatch/crc32C");
    assert.equal(batch.readUInt32BE(BatchHeader.CRC), kafkajsCrc32C(batch.subarray(BatchHeader.CRC_START)) >>> 0);
  });
});
