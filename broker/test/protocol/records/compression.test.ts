import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib from "node:zlib";
import { describe, it } from "node:test";
import { compressSync as rawSnappy } from "snappy";
import { compressFrameSync } from "lz4-napi";
import { compress as zstdCompress } from "zstd-napi";
import { ErrorCode, KafkaError, type ErrorCodeName } from "../../../src/protocol/errors";
import { CompressionType } from "../../../src/protocol/records/batch-header";
import { compress, decompress, xxh32 } from "../../../src/protocol/records/compression";

const MiB = 1024 * 1024;

function throwsKafka(fn: () => unknown, code: ErrorCodeName, pattern?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof KafkaError, `expected a KafkaError, got ${String(error)}`);
    assert.equal(error.code, ErrorCode[code], `expected ${code}, got code ${error.code}: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const CODECS = [
  ["gzip", CompressionType.GZIP],
  ["snappy", CompressionType.SNAPPY],
  ["lz4", CompressionType.LZ4],
  ["zstd", CompressionType.ZSTD],
] as const;

const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `record ${i % 311} lorem ipsum\n`).join(""));

describe("compression: round trips", () => {
  for (const [name, codec] of CODECS) {
    it(`${name}: empty, small, random and repetitive payloads`, () => {
      for (const data of [Buffer.alloc(0), Buffer.from("x"), randomBytes(100_000), text, Buffer.alloc(3 * MiB)]) {
        const packed = compress(codec, data);
        assert.deepEqual(decompress(codec, packed, data.length), data);
      }
    });

    it(`${name}: refuses output beyond maxBytes with MESSAGE_TOO_LARGE`, () => {
      const packed = compress(codec, Buffer.alloc(8 * MiB));
      throwsKafka(() => decompress(codec, packed, MiB), "MESSAGE_TOO_LARGE");
      assert.equal(decompress(codec, packed, 8 * MiB).length, 8 * MiB);
    });

    it(`${name}: garbage and truncation are CORRUPT_MESSAGE`, () => {
      const packed = compress(codec, text);
      throwsKafka(() => decompress(codec, Buffer.from("definitely not compressed data"), MiB), "CORRUPT_MESSAGE");
      throwsKafka(() => decompress(codec, packed.subarray(0, packed.length >> 1), 10 * MiB), "CORRUPT_MESSAGE");
      throwsKafka(() => decompress(codec, Buffer.alloc(0), MiB), "CORRUPT_MESSAGE");
    });
  }

  it("none returns the data itself", () => {
    const data = Buffer.from("plain");
    assert.equal(compress(CompressionType.NONE, data), data);
    assert.equal(decompress(CompressionType.NONE, data, 10), data);
  });

  it("codec ids 5-7 are UNSUPPORTED_COMPRESSION_TYPE", () => {
    for (const codec of [5, 6, 7]) {
      throwsKafka(() => decompress(codec, Buffer.from("abc"), 100), "UNSUPPORTED_COMPRESSION_TYPE");
      throwsKafka(() => compress(codec, Buffer.from("abc")), "UNSUPPORTED_COMPRESSION_TYPE");
    }
  });
});

describe("compression: snappy framings", () => {
  it("writes the xerial framing the Java client reads", () => {
    const packed = compress(CompressionType.SNAPPY, text);
    assert.deepEqual([...packed.subarray(0, 8)], [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
    assert.equal(packed.readInt32BE(8), 1);
    assert.equal(packed.readInt32BE(12), 1);
    // [int32 length][raw block] chunks up to the end
    let at = 16;
    let chunks = 0;
    while (at < packed.length) {
      at += 4 + packed.readInt32BE(at);
      chunks++;
    }
    assert.equal(at, packed.length);
    assert.ok(chunks > 1, "a large payload is written in several chunks");
  });

  it("reads raw snappy (librdkafka and others)", () => {
    const raw = rawSnappy(text);
    assert.deepEqual(decompress(CompressionType.SNAPPY, raw, text.length), text);
    throwsKafka(() => decompress(CompressionType.SNAPPY, raw, text.length - 1), "MESSAGE_TOO_LARGE");
  });

  it("reads xerial framing with arbitrary chunk sizes", () => {
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const parts: Buffer[] = [header];
    for (const [from, to] of [
      [0, 10],
      [10, 100_000],
      [100_000, text.length],
    ]) {
      const block = rawSnappy(text.subarray(from, to));
      const length = Buffer.alloc(4);
      length.writeInt32BE(block.length);
      parts.push(length, block);
    }
    const framed = Buffer.concat(parts);
    assert.deepEqual(decompress(CompressionType.SNAPPY, framed, text.length), text);
    throwsKafka(() => decompress(CompressionType.SNAPPY, framed, text.length - 1), "MESSAGE_TOO_LARGE");
    throwsKafka(() => decompress(CompressionType.SNAPPY, framed.subarray(0, framed.length - 1), MiB), "CORRUPT_MESSAGE");
    const badLength = Buffer.from(framed);
    badLength.writeInt32BE(-5, 16);
    throwsKafka(() => decompress(CompressionType.SNAPPY, badLength, MiB), "CORRUPT_MESSAGE");
  });

  it("a forged raw-snappy length preamble is refused before decompressing", () => {
    const forged = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
    throwsKafka(() => decompress(CompressionType.SNAPPY, forged, MiB), "MESSAGE_TOO_LARGE");
  });
});

describe("compression: lz4 frames", () => {
  it("checks frame structure: a frame cut before its end mark is CORRUPT_MESSAGE", () => {
    const frame = compressFrameSync(text);
    throwsKafka(() => decompress(CompressionType.LZ4, frame.subarray(0, frame.length - 4), MiB), "CORRUPT_MESSAGE", /end mark/);
    const badMagic = Buffer.from(frame);
    badMagic[0] ^= 1;
    throwsKafka(() => decompress(CompressionType.LZ4, badMagic, MiB), "CORRUPT_MESSAGE", /magic/);
    const badChecksum = Buffer.from(frame);
    badChecksum[6] ^= 0xff;
    throwsKafka(() => decompress(CompressionType.LZ4, badChecksum, MiB), "CORRUPT_MESSAGE");
  });

  it("reads concatenated and skippable frames", () => {
    const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const joined = Buffer.concat([compressFrameSync(Buffer.from("abc")), skippable, compressFrameSync(Buffer.from("def"))]);
    assert.equal(decompress(CompressionType.LZ4, joined, 100).toString(), "abcdef");
  });

  it("bounds the output from block sizes before decompressing", () => {
    const bomb = compressFrameSync(Buffer.alloc(64 * MiB));
    throwsKafka(() => decompress(CompressionType.LZ4, bomb, MiB), "MESSAGE_TOO_LARGE", /more than the 1048576 bytes allowed/);
  });

  it("reads frames of the lz4 tool: 64 KiB linked blocks, stored blocks, checksums, content size", { skip: !hasTool("lz4") }, () => {
    const mixed = Buffer.concat([text.subarray(0, 300_000), randomBytes(200_000), text.subarray(300_000)]);
    for (const args of [["-B4"], ["-B4", "-BD"], ["-B5", "-BX"], ["-B6", "-BD", "--no-frame-crc"], ["-B7"]]) {
      for (const data of [text, mixed]) {
        const frame = execFileSync("lz4", ["-c", "-q", ...args], { input: data });
        assert.deepEqual(decompress(CompressionType.LZ4, frame, data.length), data, args.join(" "));
        throwsKafka(() => decompress(CompressionType.LZ4, frame, data.length - 1), "MESSAGE_TOO_LARGE");
      }
    }
    const dir = mkdtempSync(join(tmpdir(), "lz4-"));
    try {
      const file = join(dir, "data");
      writeFileSync(file, mixed);
      const frame = execFileSync("lz4", ["-c", "-q", "--content-size", "-BD", file]);
      assert.equal(frame[4] & 0x08, 0x08, "the frame carries its content size");
      assert.deepEqual(decompress(CompressionType.LZ4, frame, mixed.length), mixed);
      throwsKafka(() => decompress(CompressionType.LZ4, frame, mixed.length - 1), "MESSAGE_TOO_LARGE", new RegExp(`decompresses to ${mixed.length} bytes`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("xxHash32 (frame header checksums) matches the reference vectors", () => {
    assert.equal(xxh32(Buffer.from("")), 0x02cc5d05);
    assert.equal(xxh32(Buffer.from("a")), 0x550d7456);
    assert.equal(xxh32(Buffer.from("abc")), 0x32d153ff);
    assert.equal(xxh32(Buffer.from("Nobody inspects the spammish repetition")), 0xe2293b2f);
  });
});

describe("compression: zstd frames", () => {
  it("reads streamed frames without a content size, bounded", { skip: !hasTool("zstd") }, () => {
    // zstd reading a pipe cannot know the size: the frame carries none.
    const streamed = execFileSync("zstd", ["-c", "-q"], { input: text });
    assert.deepEqual(decompress(CompressionType.ZSTD, streamed, text.length), text);
    throwsKafka(() => decompress(CompressionType.ZSTD, streamed, text.length - 1), "MESSAGE_TOO_LARGE");
    throwsKafka(() => decompress(CompressionType.ZSTD, streamed.subarray(0, streamed.length - 3), MiB), "CORRUPT_MESSAGE");
    const zeros = execFileSync("zstd", ["-c", "-q"], { input: Buffer.alloc(32 * MiB) });
    throwsKafka(() => decompress(CompressionType.ZSTD, zeros, MiB), "MESSAGE_TOO_LARGE");
  });

  it("reads several frames back to back", () => {
    const joined = Buffer.concat([zstdCompress(Buffer.from("abc")), zstdCompress(Buffer.from("def"))]);
    assert.equal(decompress(CompressionType.ZSTD, joined, 6).toString(), "abcdef");
    throwsKafka(() => decompress(CompressionType.ZSTD, joined, 5), "MESSAGE_TOO_LARGE");
  });

  it("the decompressor recovers after an error", () => {
    const packed = compress(CompressionType.ZSTD, text);
    throwsKafka(() => decompress(CompressionType.ZSTD, packed.subarray(0, 20), MiB), "CORRUPT_MESSAGE");
    assert.deepEqual(decompress(CompressionType.ZSTD, packed, text.length), text);
  });
});

describe("compression: gzip", () => {
  it("reads multi-member gzip and refuses bombs", () => {
    const joined = Buffer.concat([zlib.gzipSync("abc"), zlib.gzipSync("def")]);
    assert.equal(decompress(CompressionType.GZIP, joined, 6).toString(), "abcdef");
    throwsKafka(() => decompress(CompressionType.GZIP, zlib.gzipSync(Buffer.alloc(64 * MiB)), MiB), "MESSAGE_TOO_LARGE");
  });
});
