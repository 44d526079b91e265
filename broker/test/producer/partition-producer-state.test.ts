import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { encodeRecordBatch, validateProducedRecords } from "../../src/protocol/records/record-batch";
import { PartitionProducerState } from "../../src/producer/partition-producer-state";
import { decodeSnapshot, encodeSnapshot, snapshotFileName } from "../../src/producer/snapshot-file";
import type { PartitionLog } from "../../src/storage/partition-log";
import { FaultyFileSystem } from "../helpers/faulty-fs";
import { openLog } from "../storage/log-fixtures";

const DIR = "/data/orders-0";
const deps = (fs: FaultyFileSystem) => ({ fs, logger: () => {} });

/** One idempotent produce as the partition runs it (Partition.appendAsLeader): check, append, record. */
function produce(log: PartitionLog, manager: PartitionProducerState, producerId: number, epoch: number, sequence: number, records = 1) {
  const buffer = encodeRecordBatch({
    producerId,
    producerEpoch: epoch,
    baseSequence: sequence,
    baseTimestamp: 1_700_000_000_000,
    records: Array.from({ length: records }, (_, i) => ({ value: `p${producerId}-s${sequence + i}`.padEnd(200, ".") })),
  });
  const batches = validateProducedRecords(buffer, { maxMessageBytes: 1 << 20 });
  const check = manager.check(batches);
  if (check.kind === "duplicate") return { duplicate: true, baseOffset: check.firstOffset };
  const { baseOffset } = log.append(buffer, batches);
  manager.appended(batches, baseOffset, 1_700_000_000_000);
  return { duplicate: false, baseOffset };
}

function snapshots(fs: FaultyFileSystem): string[] {
  return fs.readdirSync(DIR).filter((name) => name.endsWith(".snapshot")).sort();
}

describe("producer state snapshots and reload", () => {
  it("the snapshot format round-trips", () => {
    const entries = [
      { producerId: 5, epoch: 2, lastWriteMs: 123, batches: [{ firstSequence: 0, lastSequence: 4, firstOffset: 10, lastOffset: 14, timestampMs: 99 }] },
      { producerId: 2 ** 40, epoch: 0, lastWriteMs: 0, batches: [] },
    ];
    assert.deepEqual(decodeSnapshot(encodeSnapshot(77, entries)), { offset: 77, entries });
    const corrupt = encodeSnapshot(77, entries);
    corrupt[corrupt.length - 1] ^= 1;
    assert.throws(() => decodeSnapshot(corrupt), /CRC/);
  });

  it("a crash without any snapshot rebuilds deduplication from the log", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { flushIntervalMessages: 1 });
    let manager = PartitionProducerState.load(log, deps(fs));
    for (let seq = 0; seq < 10; seq++) produce(log, manager, 1, 0, seq);
    fs.crash();
    log = openLog(fs);
    manager = PartitionProducerState.load(log, deps(fs));
    assert.deepEqual(produce(log, manager, 1, 0, 9), { duplicate: true, baseOffset: 9 });
    assert.deepEqual(produce(log, manager, 1, 0, 10), { duplicate: false, baseOffset: 10 });
    log.close();
  });

  it("a roll writes <segment base>.snapshot; a reload starts there and replays the tail", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs, { segmentBytes: 2048, flushIntervalMessages: 1 });
    let manager = PartitionProducerState.load(log, deps(fs));
    for (let seq = 0; seq < 30; seq++) produce(log, manager, 1, 0, seq);
    for (let seq = 0; seq < 3; seq++) produce(log, manager, 2, 4, seq);
    assert.ok(log.segmentCount > 3);
    const names = snapshots(fs);
    assert.equal(names.length, 2, `two snapshots kept: ${names}`);
    assert.equal(names[1], snapshotFileName(log.activeSegmentBaseOffset));
    // The newest snapshot lacks the batches appended after the roll: the reload must replay them.
    fs.crash();
    log = openLog(fs, { segmentBytes: 2048 });
    manager = PartitionProducerState.load(log, deps(fs));
    assert.equal(manager.table.entry(1)!.batches.at(-1)!.lastSequence, 29);
    assert.equal(manager.table.entry(2)!.epoch, 4);
    assert.deepEqual(produce(log, manager, 2, 4, 2), { duplicate: true, baseOffset: 32 });
    assert.deepEqual(produce(log, manager, 1, 0, 30).duplicate, false);
    log.close();
  });

  it("a clean shutdown's snapshot at the log end needs no replay; a snapshot past a truncated log end is discarded", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    let manager = PartitionProducerState.load(log, deps(fs));
    for (let seq = 0; seq < 5; seq++) produce(log, manager, 3, 0, seq);
    manager.snapshot();
    log.close();
    assert.deepEqual(snapshots(fs), [snapshotFileName(5)]);
    log = openLog(fs);
    manager = PartitionProducerState.load(log, deps(fs));
    assert.deepEqual(produce(log, manager, 3, 0, 4), { duplicate: true, baseOffset: 4 });
    // A snapshot claiming offsets the log does not have (its tail was lost) must not be trusted.
    fs.writeFileSync(path.join(DIR, snapshotFileName(50)), encodeSnapshot(50, [{ producerId: 3, epoch: 9, lastWriteMs: 0, batches: [] }]));
    log.close();
    log = openLog(fs);
    manager = PartitionProducerState.load(log, deps(fs));
    assert.equal(manager.table.entry(3)!.epoch, 0);
    assert.deepEqual(snapshots(fs), [snapshotFileName(5)]);
    log.close();
  });

  it("a corrupt snapshot is deleted and the state rebuilt from the log", () => {
    const fs = new FaultyFileSystem();
    let log = openLog(fs);
    let manager = PartitionProducerState.load(log, deps(fs));
    for (let seq = 0; seq < 4; seq++) produce(log, manager, 3, 1, seq);
    manager.snapshot();
    log.close();
    const file = path.join(DIR, snapshotFileName(4));
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3] ^= 0xff;
    fs.writeFileSync(file, bytes);
    log = openLog(fs);
    manager = PartitionProducerState.load(log, deps(fs));
    assert.deepEqual(snapshots(fs), []);
    assert.deepEqual(produce(log, manager, 3, 1, 3), { duplicate: true, baseOffset: 3 });
    log.close();
  });

  it("a request with two batches of an idempotent producer is refused", () => {
    const fs = new FaultyFileSystem();
    const log = openLog(fs);
    const manager = PartitionProducerState.load(log, deps(fs));
    const one = encodeRecordBatch({ now: Date.now(), producerId: 1, producerEpoch: 0, baseSequence: 0, records: [{ value: "a" }] });
    const two = encodeRecordBatch({ now: Date.now(), producerId: 1, producerEpoch: 0, baseSequence: 1, records: [{ value: "b" }] });
    const batches = validateProducedRecords(Buffer.concat([one, two]), { maxMessageBytes: 1 << 20 });
    assert.throws(() => manager.check(batches), /exactly one record batch/);
    log.close();
  });
});
