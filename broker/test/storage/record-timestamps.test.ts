import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProtocolError } from "../../src/protocol/errors";
import { BatchHeader, CompressionType } from "../../src/protocol/records/batch-header";
import { decodeRecordBatch, encodeRecordBatch, recordTimestamp } from "../../src/protocol/records/record-batch";
import { scanRecordTimestamps } from "../../src/storage/record-timestamps";
import { FaultyFileSystem, seededRandom } from "../helpers/faulty-fs";
import { buildBatch, produceRequest } from "./batches";
import { openLog } from "./log-fixtures";

describe("record timestamp scan", () => {
  test("finds the same first matching record as the full decoder, for random uncompressed batches", () => {
    const random = seededRandom(5);
    for (let round = 0; round < 200; round++) {
      const count = 1 + Math.floor(random() * 30);
      const base = 1_700_000_000_000;
      const batch = buildBatch(
        Array.from({ length: count }, (_, i) => ({
          key: i % 3 === 0 ? null : `k${i}`,
          value: "x".repeat(Math.floor(random() * 400)),
          timestamp: base + Math.floor(random() * 100_000) - 50_000,
        })),
      );
      batch.writeBigInt64BE(1000n, 0);
      const decoded = decodeRecordBatch(batch);
      const target = base + Math.floor(random() * 100_000) - 50_000;
      const minOffset = 1000 + Math.floor(random() * count);
      const expected = decoded.records
        .map((record) => ({ offset: 1000 + record.offsetDelta, timestamp: recordTimestamp(decoded, record) }))
        .find((record) => record.offset >= minOffset && record.timestamp >= target);
      assert.deepEqual(scanRecordTimestamps(batch, minOffset, (timestamp) => timestamp >= target), expected ?? null, `round ${round}`);
    }
  });

  test("a record that runs past the batch is the protocol Reader's ProtocolError (the log then answers at batch granularity)", () => {
    const batch = buildBatch([{ key: "k", value: "v".repeat(200), timestamp: 1_700_000_000_000 }]);
    // The header, the record's two-byte length and its attributes: the timestamp delta is cut off.
    const cut = batch.subarray(0, BatchHeader.SIZE + 3);
    assert.throws(() => scanRecordTimestamps(cut, 0, () => false), ProtocolError);
  });

  test("leaves compressed batches to the decoder, and answers LogAppendTime batches from the header", () => {
    const compressed = encodeRecordBatch({ now: Date.now(), compression: CompressionType.GZIP, records: [{ value: "a", timestamp: 5 }] });
    assert.equal(scanRecordTimestamps(compressed, 0, () => true), undefined);
    const appendTime = encodeRecordBatch({ now: Date.now(), timestampType: "LogAppendTime", maxTimestamp: 900, records: [{ value: "a", timestamp: 5 }, { value: "b", timestamp: 6 }] });
    assert.deepEqual(scanRecordTimestamps(appendTime, 1, (timestamp) => timestamp >= 900), { offset: 1, timestamp: 900 });
  });

  test("the log narrows a compressed batch to the record through the decoder", () => {
    const log = openLog(new FaultyFileSystem());
    const batch = encodeRecordBatch({
      now: Date.now(),
      compression: CompressionType.GZIP,
      records: [10, 20, 30, 40].map((timestamp) => ({ value: `t${timestamp}`, timestamp })),
    });
    const request = produceRequest(batch);
    log.append(request.records, request.batches);
    assert.deepEqual(log.offsetForTimestamp(25), { offset: 2, timestamp: 30 });
    assert.deepEqual(log.maxTimestampOffset(), { offset: 3, timestamp: 40 });
  });
});
