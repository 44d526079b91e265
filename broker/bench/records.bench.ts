/**
 * Record batch throughput: validateProducedRecords (the produce hot path),
 * decodeRecordBatch and encodeRecordBatch, over a 1 MiB batch of 100-byte
 * records; then the same records as 10-record batches, where the per-batch
 * cost (header, CRC, result objects) counts. Each case prints wall-clock
 * figures and the CPU time per record.
 *
 *   npx tsx bench/records.bench.ts [seconds per case, default 1]
 */
import { CompressionType } from "../src/protocol/records/batch-header";
import { decodeRecordBatch, decodeRecordBatches, encodeRecordBatch, validateProducedRecords, type RecordInput } from "../src/protocol/records/record-batch";

const BATCH_BYTES = 1 << 20;
const RECORD_BYTES = 100;
const seconds = Number(process.argv[2] ?? 1);

const CODECS = [
  ["none", CompressionType.NONE],
  ["gzip", CompressionType.GZIP],
  ["snappy", CompressionType.SNAPPY],
  ["lz4", CompressionType.LZ4],
  ["zstd", CompressionType.ZSTD],
] as const;

/** Records of exactly RECORD_BYTES encoded bytes (length prefix included), with text-like values. */
function makeRecords(): RecordInput[] {
  const words = ["order", "created", "user", "amount", "EUR", "status", "pending", "shipped", "id", "sku"];
  const records: RecordInput[] = [];
  const now = Date.now();
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  // record = length varint (2) + attributes (1) + timestampDelta (1) + offsetDelta (1-3)
  //          + key (1 + 8) + value (2 + n) + header count (1)
  for (let total = 61; ; ) {
    const i = records.length;
    const offsetDeltaBytes = i < 64 ? 1 : i < 8192 ? 2 : 3;
    const valueBytes = RECORD_BYTES - (2 + 1 + 1 + offsetDeltaBytes + 9 + 2 + 1);
    let value = "";
    while (value.length < valueBytes) value += `${words[next() % words.length]}=${next() % 100000} `;
    const record = { key: `key${String(i % 100000).padStart(5, "0")}`, value: value.slice(0, valueBytes), timestamp: now };
    if (total + RECORD_BYTES > BATCH_BYTES) break;
    records.push(record);
    total += RECORD_BYTES;
  }
  return records;
}

/** Time per run: wall clock, and CPU (user + system, GC threads included), which a shared, loaded machine disturbs far less. */
interface RunTime {
  wallNs: number;
  cpuNs: number;
}

function measure(run: () => void): RunTime {
  for (let i = 0; i < 20; i++) run(); // warm up
  let iterations = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    run();
    iterations++;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wallNs: Number(now - start) / iterations, cpuNs: ((cpu.user + cpu.system) * 1000) / iterations };
}

function report(label: string, time: RunTime, records: number, bytes: number): void {
  const nsPerRecord = time.wallNs / records;
  const mbPerSecond = bytes / 1e6 / (time.wallNs / 1e9);
  const recordsPerSecond = records / (time.wallNs / 1e9);
  console.log(
    `${label.padEnd(34)} ${nsPerRecord.toFixed(1).padStart(8)} ns/record ${mbPerSecond.toFixed(0).padStart(7)} MB/s ${(recordsPerSecond / 1e6).toFixed(2).padStart(7)} M records/s ${(time.cpuNs / records).toFixed(1).padStart(8)} CPU ns/record  (batch ${bytes} bytes)`,
  );
}

const records = makeRecords();
const uncompressedBytes = encodeRecordBatch({ now: Date.now(), records }).length;
if (uncompressedBytes !== 61 + records.length * RECORD_BYTES) throw new Error(`records are not ${RECORD_BYTES} bytes`);
console.log(`${records.length} records of ${RECORD_BYTES} bytes, ${uncompressedBytes} bytes uncompressed; MB/s counts uncompressed bytes`);

for (const [name, compression] of CODECS) {
  const batch = encodeRecordBatch({ now: Date.now(), compression, records });
  const limits = { maxMessageBytes: 2 * BATCH_BYTES };
  if (validateProducedRecords(batch, limits)[0].recordCount !== records.length) throw new Error("bad batch");
  report(`validateProducedRecords ${name}`, measure(() => validateProducedRecords(batch, limits)), records.length, uncompressedBytes);
}
for (const [name, compression] of CODECS) {
  const batch = encodeRecordBatch({ now: Date.now(), compression, records });
  if (decodeRecordBatch(batch).records.length !== records.length) throw new Error("bad batch");
  report(`decodeRecordBatch ${name} (${batch.length} B)`, measure(() => decodeRecordBatch(batch)), records.length, uncompressedBytes);
}
for (const [name, compression] of CODECS) {
  const batch = encodeRecordBatch({ now: Date.now(), compression, records });
  report(`encodeRecordBatch ${name} (${batch.length} B)`, measure(() => encodeRecordBatch({ now: 0, compression, records })), records.length, uncompressedBytes);
}

// Small batches, as most producers send them and fetch responses carry them.
const SMALL_BATCH_RECORDS = 10;
const smallBatches: Buffer[] = [];
for (let i = 0; i + SMALL_BATCH_RECORDS <= records.length; i += SMALL_BATCH_RECORDS) {
  smallBatches.push(encodeRecordBatch({ now: Date.now(), records: records.slice(i, i + SMALL_BATCH_RECORDS) }));
}
const smallBlob = Buffer.concat(smallBatches);
const smallRecords = smallBatches.length * SMALL_BATCH_RECORDS;
const smallLimits = { maxMessageBytes: 2 * BATCH_BYTES };
if (validateProducedRecords(smallBlob, smallLimits).length !== smallBatches.length) throw new Error("bad small batches");
report(`validateProducedRecords none x${SMALL_BATCH_RECORDS}`, measure(() => validateProducedRecords(smallBlob, smallLimits)), smallRecords, smallBlob.length);
report(`decodeRecordBatches none x${SMALL_BATCH_RECORDS}`, measure(() => decodeRecordBatches(smallBlob)), smallRecords, smallBlob.length);
const smallInputs = smallBatches.map((_, i) => records.slice(i * SMALL_BATCH_RECORDS, (i + 1) * SMALL_BATCH_RECORDS));
report(
  `encodeRecordBatch none x${SMALL_BATCH_RECORDS}`,
  measure(() => {
    for (const batchRecords of smallInputs) encodeRecordBatch({ now: 0, records: batchRecords });
  }),
  smallRecords,
  smallBlob.length,
);
