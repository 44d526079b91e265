/**
 * The records of a batch: the region after its header, or its decompressed
 * payload. Each record is a length, then attributes, timestampDelta,
 * offsetDelta, key, value and headers, in the record encoding of the Reader
 * (zig-zag varints, -1 for a null key or value).
 *
 * Three passes, from cheapest to fullest: `walkRecordLengths` follows the
 * length prefixes only; `checkRecords` parses every record without building
 * it; `readRecords` builds them, with keys, values and header values as views
 * into the region, not copies. Each checks that the region holds exactly the
 * count the header declares.
 */
import { Reader } from "../reader";
import { CompressionType } from "./batch-header";
import { inRecord, RecordFormatError } from "./batch-errors";
import { decompress } from "./compression";

/** Decompressed payloads larger than this are refused unless a limit is given. */
export const DEFAULT_DECOMPRESSED_BYTES_MAX = 64 * 1024 * 1024;
/** The smallest record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
const RECORD_BYTES_MIN = 7;
/** The smallest record body (after its length prefix). */
const RECORD_BODY_BYTES_MIN = 6;

export interface KafkaRecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaRecordHeader[];
}

/**
 * A reader over a batch's records, given a reader over the batch positioned
 * just after its header: that same reader when the batch is uncompressed, else
 * one over the decompressed payload (at most `decompressedBytesMax` bytes).
 */
export function recordsReader(batch: Reader, codec: number, decompressedBytesMax: number): Reader {
  if (codec === CompressionType.NONE) return batch;
  return new Reader(decompress(codec, batch.readRaw(batch.remaining), decompressedBytesMax));
}

/** Builds the `recordCount` records that fill the reader to its end. */
export function readRecords(r: Reader, recordCount: number): KafkaRecord[] {
  const end = r.end;
  checkCountFits(recordCount, end - r.offset);
  const records: KafkaRecord[] = new Array(recordCount);
  for (let i = 0; i < recordCount; i++) {
    if (r.offset >= end) throw tooFew(i, recordCount);
    try {
      records[i] = readRecord(r, end);
    } catch (error) {
      throw inRecord(error, i);
    }
  }
  checkNoTrailing(r, recordCount);
  return records;
}

/** Parses every record without building it; each must carry offsetDelta 0..recordCount-1. */
export function checkRecords(r: Reader, recordCount: number): void {
  const end = r.end;
  checkCountFits(recordCount, end - r.offset);
  for (let i = 0; i < recordCount; i++) {
    if (r.offset >= end) throw tooFew(i, recordCount);
    let offsetDelta: number;
    try {
      offsetDelta = skipRecord(r, end);
    } catch (error) {
      throw inRecord(error, i);
    }
    if (offsetDelta !== i) {
      throw new RecordFormatError("INVALID_RECORD", `record ${i} has offsetDelta ${offsetDelta}`);
    }
  }
  checkNoTrailing(r, recordCount);
}

/**
 * Follows the length prefixes only, so that the region holds exactly
 * recordCount records, without parsing them: what an uncompressed produced
 * batch needs, since its CRC already vouches for the bytes the producer meant.
 */
export function walkRecordLengths(r: Reader, recordCount: number): void {
  const end = r.end;
  checkCountFits(recordCount, end - r.offset);
  for (let i = 0; i < recordCount; i++) {
    if (r.offset >= end) throw tooFew(i, recordCount);
    try {
      const length = r.readVarint();
      if (length < RECORD_BODY_BYTES_MIN) throw new RecordFormatError("CORRUPT_MESSAGE", `record length ${length}`);
      r.skip(length);
    } catch (error) {
      throw inRecord(error, i);
    }
  }
  checkNoTrailing(r, recordCount);
}

function readRecord(r: Reader, regionEnd: number): KafkaRecord {
  const bodyEnd = openRecord(r, regionEnd);
  const attributes = r.readInt8();
  const timestampDelta = r.readSafeVarlong();
  const offsetDelta = r.readVarint();
  const key = r.readVarintBytes();
  const value = r.readVarintBytes();
  const count = headerCount(r);
  const headers: KafkaRecordHeader[] = new Array(count);
  for (let i = 0; i < count; i++) {
    headers[i] = { key: r.readVarintString(), value: r.readVarintBytes() };
  }
  closeRecord(r, bodyEnd, regionEnd);
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

/** Parses one record without building it; returns its offsetDelta. */
function skipRecord(r: Reader, regionEnd: number): number {
  const bodyEnd = openRecord(r, regionEnd);
  r.skip(1); // attributes
  r.readSafeVarlong(); // timestampDelta: parsed, so that one beyond 2^53 is refused
  const offsetDelta = r.readVarint();
  r.skipVarintBytes(); // key
  r.skipVarintBytes(); // value
  const count = headerCount(r);
  for (let i = 0; i < count; i++) {
    if (r.skipVarintBytes() < 0) throw new RecordFormatError("CORRUPT_MESSAGE", "null header key");
    r.skipVarintBytes();
  }
  closeRecord(r, bodyEnd, regionEnd);
  return offsetDelta;
}

/** Reads a record's length and bounds the reader to its body; returns the body's end. */
function openRecord(r: Reader, regionEnd: number): number {
  const length = r.readVarint();
  if (length < RECORD_BODY_BYTES_MIN) throw new RecordFormatError("CORRUPT_MESSAGE", `record length ${length}`);
  const bodyEnd = r.offset + length;
  if (bodyEnd > regionEnd) {
    throw new RecordFormatError("CORRUPT_MESSAGE", `record of ${length} bytes overruns the batch by ${bodyEnd - regionEnd}`);
  }
  r.end = bodyEnd;
  return bodyEnd;
}

function closeRecord(r: Reader, bodyEnd: number, regionEnd: number): void {
  if (r.offset !== bodyEnd) {
    throw new RecordFormatError("CORRUPT_MESSAGE", `record has ${bodyEnd - r.offset} bytes past its last header`);
  }
  r.end = regionEnd;
}

function headerCount(r: Reader): number {
  const count = r.readVarint();
  if (count < 0) throw new RecordFormatError("CORRUPT_MESSAGE", `header count ${count}`);
  if (count * 2 > r.remaining) throw new RecordFormatError("CORRUPT_MESSAGE", `${count} headers in ${r.remaining} bytes`);
  return count;
}

/** A count no region of this size could hold is refused before anything is allocated for it. */
function checkCountFits(recordCount: number, regionBytes: number): void {
  if (recordCount * RECORD_BYTES_MIN > regionBytes) {
    throw new RecordFormatError(
      "INVALID_RECORD",
      `declares ${recordCount} records but its ${regionBytes}-byte records region cannot hold that many`,
    );
  }
}

function checkNoTrailing(r: Reader, recordCount: number): void {
  if (r.remaining !== 0) {
    throw new RecordFormatError("INVALID_RECORD", `${r.remaining} bytes follow the ${recordCount} records it declares`);
  }
}

function tooFew(found: number, recordCount: number): RecordFormatError {
  return new RecordFormatError("INVALID_RECORD", `declares ${recordCount} records but holds ${found}`);
}
