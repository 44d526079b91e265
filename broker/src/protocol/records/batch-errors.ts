/**
 * The errors of record batches. Every failure reaches the caller as a
 * KafkaError whose code is the one a produce response would carry, with the
 * batch's byte position in the message: CORRUPT_MESSAGE (bytes that do not
 * parse, CRC mismatch), INVALID_RECORD (well-formed bytes that break a rule),
 * MESSAGE_TOO_LARGE, UNSUPPORTED_FOR_MESSAGE_FORMAT (magic other than 2),
 * UNSUPPORTED_COMPRESSION_TYPE, INVALID_TIMESTAMP.
 */
import { ErrorCode, KafkaError, ProtocolError, type ErrorCodeName } from "../errors";

export function batchError(code: ErrorCodeName, at: number, message: string): KafkaError {
  return new KafkaError(code, `batch at byte ${at}: ${message}`);
}

export function unsupportedMagic(at: number, magic: number): KafkaError {
  return batchError("UNSUPPORTED_FOR_MESSAGE_FORMAT", at, `magic ${magic} (only record batches of magic 2 are supported)`);
}

export function crcMismatch(at: number, stored: number, computed: number): KafkaError {
  return batchError("CORRUPT_MESSAGE", at, `CRC mismatch (stored ${hex32(stored)}, computed ${hex32(computed)})`);
}

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

/**
 * A failure inside a batch's records that does not know the batch's position
 * (the caller adds it): a rule broken by well-formed bytes, or a parse
 * failure the Reader cannot see (a record length below the minimum).
 */
export class RecordFormatError extends Error {
  constructor(
    readonly code: ErrorCodeName,
    message: string,
  ) {
    super(message);
  }
}

/** Names the record a failure happened in. */
export function inRecord(error: unknown, index: number): unknown {
  if (error instanceof RecordFormatError) return new RecordFormatError(error.code, `record ${index}: ${error.message}`);
  if (error instanceof ProtocolError) return new RecordFormatError("CORRUPT_MESSAGE", `record ${index}: ${error.message}`);
  return error;
}

const CODE_NAMES = new Map<number, ErrorCodeName>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name as ErrorCodeName]),
);

/**
 * Failures in the records and in the codecs, reported with the batch's
 * position: bytes the Reader could not parse are CORRUPT_MESSAGE, a codec's
 * KafkaError keeps its code.
 */
export function atBatch(error: unknown, at: number): unknown {
  if (error instanceof RecordFormatError) return batchError(error.code, at, error.message);
  if (error instanceof ProtocolError) return batchError("CORRUPT_MESSAGE", at, error.message);
  if (error instanceof KafkaError) return batchError(CODE_NAMES.get(error.code) ?? "CORRUPT_MESSAGE", at, error.message);
  return error;
}
