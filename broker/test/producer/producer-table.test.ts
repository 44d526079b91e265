import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, KafkaError, type ErrorCodeName } from "../../src/protocol/errors";
import { lastSequenceOf, ProducerTable, type ProducerBatchHeader } from "../../src/producer/producer-table";

const INT32_MAX = 0x7fffffff;

function batch(producerId: number, producerEpoch: number, baseSequence: number, records = 1): ProducerBatchHeader {
  return { producerId, producerEpoch, baseSequence, lastOffsetDelta: records - 1 };
}

/** Checks and, when accepted, records the batch at `offset` as the produce path does. */
function produce(table: ProducerTable, header: ProducerBatchHeader, offset: number) {
  const result = table.check(header);
  if (result.kind === "append") table.record(header, offset, 0, 0);
  return result;
}

function rejects(table: ProducerTable, header: ProducerBatchHeader, code: ErrorCodeName): void {
  assert.throws(() => table.check(header), (error: unknown) => error instanceof KafkaError && error.code === ErrorCode[code]);
}

describe("producer sequence rules", () => {
  it("accepts a new producer's first batch at sequence 0 and then only the next sequence", () => {
    const table = new ProducerTable();
    assert.deepEqual(produce(table, batch(7, 0, 0, 3), 0), { kind: "append" });
    assert.deepEqual(produce(table, batch(7, 0, 3, 2), 3), { kind: "append" });
    assert.equal(table.entry(7)!.batches.at(-1)!.lastSequence, 4);
  });

  it("answers a retried batch (one of the last five) with the offsets it got the first time", () => {
    const table = new ProducerTable();
    for (let i = 0; i < 6; i++) produce(table, batch(7, 0, i * 2, 2), 100 + i * 2);
    // The last five batches are remembered: sequences 2..11.
    assert.deepEqual(table.check(batch(7, 0, 2, 2)), { kind: "duplicate", firstOffset: 102, lastOffset: 103 });
    assert.deepEqual(table.check(batch(7, 0, 10, 2)), { kind: "duplicate", firstOffset: 110, lastOffset: 111 });
    // The first batch fell out of the window: it is out of order now.
    rejects(table, batch(7, 0, 0, 2), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  });

  it("a gap in the sequence is OUT_OF_ORDER_SEQUENCE_NUMBER", () => {
    const table = new ProducerTable();
    produce(table, batch(7, 0, 0, 1), 0);
    rejects(table, batch(7, 0, 2, 1), "OUT_OF_ORDER_SEQUENCE_NUMBER");
    // A batch overlapping a written one without matching it exactly is not a duplicate either.
    produce(table, batch(7, 0, 1, 3), 1);
    rejects(table, batch(7, 0, 2, 2), "OUT_OF_ORDER_SEQUENCE_NUMBER");
  });

  it("an older epoch is fenced with INVALID_PRODUCER_EPOCH, even for a retry", () => {
    const table = new ProducerTable();
    produce(table, batch(7, 0, 0), 0);
    produce(table, batch(7, 1, 0), 1);
    rejects(table, batch(7, 0, 1), "INVALID_PRODUCER_EPOCH");
    rejects(table, batch(7, 0, 0), "INVALID_PRODUCER_EPOCH");
  });

  it("a newer epoch must start at sequence 0, and forgets the old epoch's batches", () => {
    const table = new ProducerTable();
    produce(table, batch(7, 0, 0, 5), 0);
    rejects(table, batch(7, 1, 5), "OUT_OF_ORDER_SEQUENCE_NUMBER");
    assert.deepEqual(produce(table, batch(7, 1, 0, 2), 5), { kind: "append" });
    assert.equal(table.entry(7)!.epoch, 1);
    assert.equal(table.entry(7)!.batches.length, 1);
  });

  it("an unknown producer is accepted at any sequence (Kafka >= 2.5, KIP-360), then held to it", () => {
    const table = new ProducerTable();
    assert.deepEqual(produce(table, batch(9, 3, 42, 2), 0), { kind: "append" });
    rejects(table, batch(9, 3, 45), "OUT_OF_ORDER_SEQUENCE_NUMBER");
    assert.deepEqual(produce(table, batch(9, 3, 44), 2), { kind: "append" });
  });

  it("sequences wrap from Int32.MAX to 0", () => {
    assert.equal(lastSequenceOf(INT32_MAX - 1, 3), 1);
    assert.equal(lastSequenceOf(INT32_MAX, 0), INT32_MAX);
    assert.equal(lastSequenceOf(INT32_MAX, 1), 0);
    const table = new ProducerTable();
    produce(table, batch(7, 0, INT32_MAX - 2, 3), 0);
    assert.equal(table.entry(7)!.batches[0].lastSequence, INT32_MAX);
    assert.deepEqual(produce(table, batch(7, 0, 0, 2), 3), { kind: "append" });
    assert.deepEqual(table.check(batch(7, 0, INT32_MAX - 2, 3)), { kind: "duplicate", firstOffset: 0, lastOffset: 2 });
    const spanning = new ProducerTable();
    produce(spanning, batch(8, 0, INT32_MAX - 1, 4), 0);
    assert.equal(spanning.entry(8)!.batches[0].lastSequence, 1);
    assert.deepEqual(produce(spanning, batch(8, 0, 2), 4), { kind: "append" });
  });

  it("batches without a producer id are never checked", () => {
    const table = new ProducerTable();
    assert.deepEqual(table.check(batch(-1, -1, -1)), { kind: "append" });
    assert.equal(table.size, 0);
  });

  it("producers idle past the expiration are forgotten", () => {
    const table = new ProducerTable();
    table.record(batch(1, 0, 0), 0, 0, 1_000);
    table.record(batch(2, 0, 0), 1, 0, 5_000);
    assert.equal(table.expire(10_000, 6_000), 1);
    assert.equal(table.entry(1), undefined);
    assert.ok(table.entry(2));
  });
});
