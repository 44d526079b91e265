/**
 * The record-batch compression codecs (attribute bits 0-2): gzip, snappy,
 * lz4 and zstd, over native libraries.
 *
 * Decompression is bounded: `maxBytes` caps the decompressed size, checked
 * from the codecs' own size fields (snappy length preambles, lz4 block sizes,
 * zstd frame content sizes) before any large allocation where the format
 * allows it, so a few kilobytes of compressed input cannot make the broker
 * allocate gigabytes.
 *
 * Errors: KafkaError CORRUPT_MESSAGE when the data does not decompress,
 * MESSAGE_TOO_LARGE when it would decompress to more than `maxBytes` (a
 * producer that gets this error may split the batch), and
 * UNSUPPORTED_COMPRESSION_TYPE for codec ids 5-7.
 */
import { constants as bufferConstants } from "node:buffer";
import { createRequire } from "node:module";
import zlib from "node:zlib";
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from "snappy";
import { compressFrameSync as lz4CompressFrame, uncompressSync as lz4UncompressBlock } from "lz4-napi";
import { compress as zstdCompress } from "zstd-napi";
import type * as ZstdBinding from "zstd-napi/binding";
import { KafkaError } from "../errors";
import { CompressionType } from "./batch-header";

const require = createRequire(import.meta.url);
/** The low-level zstd binding: streaming decompression with a bounded output. */
const zstd: typeof ZstdBinding = require("zstd-napi/binding");

const BUFFER_BYTES_MAX = bufferConstants.MAX_LENGTH;

export const CODEC_NAMES = ["none", "gzip", "snappy", "lz4", "zstd"] as const;

/** The codec's name for messages ("codec 6" for ids without one). */
export function codecName(codec: number): string {
  return CODEC_NAMES[codec] ?? `codec ${codec}`;
}

function checkCodec(codec: number): void {
  if (!Number.isInteger(codec) || codec < 0 || codec > CompressionType.ZSTD) {
    throw new KafkaError("UNSUPPORTED_COMPRESSION_TYPE", `unsupported compression type ${codec}`);
  }
}

function corrupt(codec: number, detail: string): KafkaError {
  return new KafkaError("CORRUPT_MESSAGE", `${codecName(codec)} payload does not decompress: ${detail}`);
}

function tooLarge(codec: number, maxBytes: number, bytes?: number): KafkaError {
  return new KafkaError(
    "MESSAGE_TOO_LARGE",
    bytes === undefined
      ? `${codecName(codec)} payload decompresses to more than the ${maxBytes} bytes allowed`
      : `${codecName(codec)} payload decompresses to ${bytes} bytes, more than the ${maxBytes} allowed`,
  );
}

function errorDetail(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Compresses `data` with a Kafka codec (0 returns `data` itself). */
export function compress(codec: number, data: Buffer): Buffer {
  checkCodec(codec);
  switch (codec) {
    case CompressionType.NONE:
      return data;
    case CompressionType.GZIP:
      return zlib.gzipSync(data);
    case CompressionType.SNAPPY:
      return xerialSnappyCompress(data);
    case CompressionType.LZ4:
      return lz4CompressFrame(data);
    default:
      return zstdCompress(data);
  }
}

/**
 * Decompresses `data` written with a Kafka codec; at most `maxBytes` bytes of
 * output are accepted. Codec 0 returns `data` itself.
 */
export function decompress(codec: number, data: Buffer, maxBytes: number): Buffer {
  checkCodec(codec);
  switch (codec) {
    case CompressionType.NONE:
      if (data.length > maxBytes) throw tooLarge(codec, maxBytes, data.length);
      return data;
    case CompressionType.GZIP:
      return gunzip(data, maxBytes);
    case CompressionType.SNAPPY:
      return snappyDecompress(data, maxBytes);
    case CompressionType.LZ4:
      return lz4Decompress(data, maxBytes);
    default:
      return zstdDecompress(data, maxBytes);
  }
}

// ---------------------------------------------------------------------------
// gzip

function gunzip(data: Buffer, maxBytes: number): Buffer {
  let out: Buffer;
  try {
    out = zlib.gunzipSync(data, { maxOutputLength: Math.max(1, Math.min(maxBytes, BUFFER_BYTES_MAX)) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw tooLarge(CompressionType.GZIP, maxBytes);
    }
    throw corrupt(CompressionType.GZIP, errorDetail(error));
  }
  if (out.length > maxBytes) throw tooLarge(CompressionType.GZIP, maxBytes, out.length);
  return out;
}

// ---------------------------------------------------------------------------
// snappy: the Java client's xerial framing, or a raw snappy block

/** 0x82 "SNAPPY" 0x00: the xerial snappy-java stream header. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic, then int32 version and int32 minimum compatible version. */
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
/** snappy-java's default block size: the Java client reads any size. */
const XERIAL_BLOCK_BYTES = 32 * 1024;

function xerialSnappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  parts.push(header);
  let total = XERIAL_HEADER_BYTES;
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = snappyCompress(data.subarray(at, Math.min(at + XERIAL_BLOCK_BYTES, data.length)), { copyOutputData: true });
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
    total += 4 + block.length;
  }
  return Buffer.concat(parts, total);
}

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

/** The uncompressed length a raw snappy block announces (its varint preamble). */
function snappyPreamble(block: Buffer): number {
  let value = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return value;
  }
  throw corrupt(CompressionType.SNAPPY, "bad length preamble");
}

function snappyBlock(block: Buffer): Buffer {
  const expected = snappyPreamble(block);
  let out: Buffer;
  try {
    // copyOutputData: a plain Buffer is several times faster than an external one here.
    out = snappyUncompress(block, { asBuffer: true, copyOutputData: true }) as Buffer;
  } catch (error) {
    throw corrupt(CompressionType.SNAPPY, errorDetail(error));
  }
  if (out.length !== expected) {
    throw corrupt(CompressionType.SNAPPY, `block announced ${expected} bytes, held ${out.length}`);
  }
  return out;
}

function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  const codec = CompressionType.SNAPPY;
  if (!isXerial(data)) {
    if (data.length === 0) throw corrupt(codec, "empty payload");
    const size = snappyPreamble(data);
    if (size > maxBytes) throw tooLarge(codec, maxBytes, size);
    return snappyBlock(data);
  }
  // Walk the chunks first: their preambles bound the output before decompressing.
  const blocks: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < data.length) {
    if (at + 4 > data.length) throw corrupt(codec, `truncated chunk length at byte ${at}`);
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || at + length > data.length) {
      throw corrupt(codec, `chunk of ${length} bytes at byte ${at - 4} overruns the ${data.length}-byte payload`);
    }
    if (length === 0) continue;
    const block = data.subarray(at, at + length);
    at += length;
    total += snappyPreamble(block);
    if (total > maxBytes) throw tooLarge(codec, maxBytes);
    blocks.push(block);
  }
  if (blocks.length === 1) return snappyBlock(blocks[0]);
  return Buffer.concat(
    blocks.map((block) => snappyBlock(block)),
    total,
  );
}

// ---------------------------------------------------------------------------
// lz4: the LZ4 frame format (one or more frames)
//
// The frame structure is walked here and each block is decompressed by the
// native *block* decoder: the native frame decoder accepts a frame cut before
// its end mark, cannot bound its output, and costs several times more per
// call (it sets up a window of the frame's maximum block size each time).
// Block and content checksums (xxHash32) are not verified: the batch CRC
// already covers the compressed bytes. The header checksum is.

const LZ4_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
const LZ4_BLOCK_MAX_BYTES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };
/**
 * An lz4 block expands less than 255-fold: a sequence of n input bytes
 * (token, offset, length bytes of at most 255 each) yields under 255 x n.
 */
const LZ4_MAX_RATIO = 255;
/** Linked blocks may refer back this far into the output of earlier blocks. */
const LZ4_WINDOW_BYTES = 64 * 1024;

function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const codec = CompressionType.LZ4;
  const pieces: Buffer[] = [];
  const state = { total: 0 };
  let frames = 0;
  let at = 0;
  while (at < data.length) {
    if (at + 4 > data.length) throw corrupt(codec, `${data.length - at} trailing bytes`);
    const magic = data.readUInt32LE(at);
    if ((magic & LZ4_SKIPPABLE_MAGIC_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) {
      if (at + 8 > data.length) throw corrupt(codec, "truncated skippable frame");
      at += 8 + data.readUInt32LE(at + 4);
      if (at > data.length) throw corrupt(codec, "truncated skippable frame");
      continue;
    }
    if (magic !== LZ4_MAGIC) throw corrupt(codec, `bad frame magic 0x${magic.toString(16)} at byte ${at}`);
    at = lz4Frame(data, at, maxBytes, pieces, state);
    frames++;
  }
  if (frames === 0) throw corrupt(codec, "no lz4 frame");
  return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, state.total);
}

/** Decodes the frame at `start` into `pieces`; returns the byte after it. */
function lz4Frame(data: Buffer, start: number, maxBytes: number, pieces: Buffer[], state: { total: number }): number {
  const codec = CompressionType.LZ4;
  let at = start + 4;
  if (at + 3 > data.length) throw corrupt(codec, `truncated frame header at byte ${start}`);
  const flg = data[at];
  const bd = data[at + 1];
  if (flg >> 6 !== 1) throw corrupt(codec, `frame version ${flg >> 6} is not 1`);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw corrupt(codec, "reserved frame descriptor bits are set");
  const blockMax = LZ4_BLOCK_MAX_BYTES[(bd >> 4) & 0x07];
  if (blockMax === undefined) throw corrupt(codec, `block maximum size id ${(bd >> 4) & 0x07} is invalid`);
  const linked = (flg & 0x20) === 0;
  const blockChecksums = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  if ((flg & 0x01) !== 0) throw corrupt(codec, "frames with a dictionary id are not supported");
  at += 2;
  let contentSize: number | null = null;
  if (hasContentSize) {
    if (at + 9 > data.length) throw corrupt(codec, "truncated frame header");
    contentSize = data.readUInt32LE(at) + data.readUInt32LE(at + 4) * 2 ** 32;
    at += 8;
    if (state.total + contentSize > maxBytes) throw tooLarge(codec, maxBytes, state.total + contentSize);
  }
  const headerChecksum = (xxh32(data.subarray(start + 4, at)) >>> 8) & 0xff;
  if (data[at] !== headerChecksum) throw corrupt(codec, "frame header checksum mismatch");
  at += 1;
  const frameFirstPiece = pieces.length;
  const frameStartTotal = state.total;
  for (;;) {
    if (at + 4 > data.length) throw corrupt(codec, "truncated frame (no end mark)");
    const word = data.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw corrupt(codec, `block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`);
    if (at + size + (blockChecksums ? 4 : 0) > data.length) throw corrupt(codec, "truncated block");
    let piece: Buffer;
    if (word >>> 31 === 1) {
      piece = data.subarray(at, at + size); // stored uncompressed
    } else {
      // At most one block (4 MiB) is decoded beyond maxBytes before the check below.
      const capacity = Math.min(blockMax, size * LZ4_MAX_RATIO);
      // The block decoder takes the output capacity as a 4-byte little-endian prefix.
      const input = Buffer.allocUnsafe(4 + size);
      input.writeUInt32LE(capacity, 0);
      data.copy(input, 4, at, at + size);
      try {
        piece =
          linked && pieces.length > frameFirstPiece
            ? lz4UncompressBlock(input, lz4Window(pieces, frameFirstPiece))
            : lz4UncompressBlock(input);
      } catch (error) {
        throw corrupt(codec, errorDetail(error));
      }
      if (piece.length > blockMax) throw corrupt(codec, `block decompressed beyond the ${blockMax}-byte maximum`);
    }
    at += size + (blockChecksums ? 4 : 0);
    state.total += piece.length;
    if (state.total > maxBytes) throw tooLarge(codec, maxBytes);
    if (piece.length > 0) pieces.push(piece);
  }
  if (contentChecksum) {
    if (at + 4 > data.length) throw corrupt(codec, "truncated content checksum");
    at += 4;
  }
  if (contentSize !== null && state.total - frameStartTotal !== contentSize) {
    throw corrupt(codec, `frame announced ${contentSize} bytes, held ${state.total - frameStartTotal}`);
  }
  return at;
}

/** The last 64 KiB of a frame's output so far: the dictionary of a linked block. */
function lz4Window(pieces: Buffer[], from: number): Buffer {
  const parts: Buffer[] = [];
  let need = LZ4_WINDOW_BYTES;
  for (let i = pieces.length - 1; i >= from && need > 0; i--) {
    const piece = pieces[i];
    const take = Math.min(need, piece.length);
    parts.push(piece.subarray(piece.length - take));
    need -= take;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts.reverse());
}

const XXH_P1 = 0x9e3779b1;
const XXH_P2 = 0x85ebca77;
const XXH_P3 = 0xc2b2ae3d;
const XXH_P4 = 0x27d4eb2f;
const XXH_P5 = 0x165667b1;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function xxh32Round(acc: number, lane: number): number {
  return Math.imul(rotl32((acc + Math.imul(lane, XXH_P2)) | 0, 13), XXH_P1);
}

/** xxHash32 (seed 0), for lz4 frame header checksums. */
export function xxh32(buf: Buffer): number {
  const length = buf.length;
  let i = 0;
  let h: number;
  if (length >= 16) {
    let v1 = (XXH_P1 + XXH_P2) | 0;
    let v2 = XXH_P2 | 0;
    let v3 = 0;
    let v4 = -XXH_P1 | 0;
    for (; i + 16 <= length; i += 16) {
      v1 = xxh32Round(v1, buf.readUInt32LE(i));
      v2 = xxh32Round(v2, buf.readUInt32LE(i + 4));
      v3 = xxh32Round(v3, buf.readUInt32LE(i + 8));
      v4 = xxh32Round(v4, buf.readUInt32LE(i + 12));
    }
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) | 0;
  } else {
    h = XXH_P5;
  }
  h = (h + length) | 0;
  for (; i + 4 <= length; i += 4) {
    h = Math.imul(rotl32((h + Math.imul(buf.readUInt32LE(i), XXH_P3)) | 0, 17), XXH_P4);
  }
  for (; i < length; i++) {
    h = Math.imul(rotl32((h + Math.imul(buf[i], XXH_P5)) | 0, 11), XXH_P1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, XXH_P2);
  h ^= h >>> 13;
  h = Math.imul(h, XXH_P3);
  h ^= h >>> 16;
  return h >>> 0;
}

// ---------------------------------------------------------------------------
// zstd

let zstdContext: ZstdBinding.DCtx | undefined;
const ZSTD_CHUNK_BYTES = 128 * 1024;

/** The summed content sizes of all frames, or null if one is unknown or unreadable. */
function zstdContentSize(data: Buffer): number | null {
  let total = 0;
  let at = 0;
  try {
    while (at < data.length) {
      const frame = data.subarray(at);
      const size = zstd.getFrameContentSize(frame);
      if (size === null) return null;
      const frameBytes = zstd.findFrameCompressedSize(frame);
      if (!(frameBytes > 0)) return null;
      total += size;
      at += frameBytes;
    }
  } catch {
    return null;
  }
  return total;
}

function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  const codec = CompressionType.ZSTD;
  if (data.length === 0) throw corrupt(codec, "empty payload");
  zstdContext ??= new zstd.DCtx();
  const dctx = zstdContext;
  try {
    dctx.reset(zstd.ResetDirective.sessionOnly);
    const known = zstdContentSize(data);
    if (known !== null) {
      if (known > maxBytes) throw tooLarge(codec, maxBytes, known);
      const out = Buffer.allocUnsafe(known);
      const written = dctx.decompress(out, data);
      if (written !== known) throw corrupt(codec, `frames announced ${known} bytes, held ${written}`);
      return out;
    }
    // Content size unknown (a streaming writer): decompress into a bounded,
    // growing buffer.
    let out = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(ZSTD_CHUNK_BYTES, data.length * 4)));
    let written = 0;
    let read = 0;
    for (;;) {
      if (written === out.length) {
        if (out.length > maxBytes) throw tooLarge(codec, maxBytes);
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, out.length * 2));
        out.copy(grown, 0, 0, written);
        out = grown;
      }
      const [remaining, produced, consumed] = dctx.decompressStream(out.subarray(written), data.subarray(read));
      written += produced;
      read += consumed;
      if (read === data.length && remaining === 0) break;
      if (produced === 0 && consumed === 0 && written < out.length) {
        throw corrupt(codec, "truncated frame");
      }
    }
    if (written > maxBytes) throw tooLarge(codec, maxBytes);
    return out.subarray(0, written);
  } catch (error) {
    if (error instanceof KafkaError) throw error;
    dctx.reset(zstd.ResetDirective.sessionOnly);
    throw corrupt(codec, errorDetail(error));
  }
}
