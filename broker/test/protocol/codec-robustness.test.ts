import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ProtocolError } from "../../src/protocol/errors";
import { Reader } from "../../src/protocol/reader";
import { Writer } from "../../src/protocol/writer";
import { type Codec, SpecValues, allCodecs } from "./spec-arbitrary";

const SAMPLES_PER_VERSION = 2;
const RANDOM_INPUTS_PER_VERSION = 8;

/** Reads `bytes`; returns normally or throws a ProtocolError, anything else fails the test. */
function readOrProtocolError(codec: Codec, version: number, bytes: Buffer, what: string): void {
  try {
    codec.read(new Reader(bytes), version);
  } catch (error) {
    if (!(error instanceof ProtocolError)) {
      assert.fail(`${codec.model.name} v${version} ${what} (${bytes.toString("hex")}) threw ${String(error)}`);
    }
  }
}

describe("reading malformed bytes fails only with ProtocolError", () => {
  for (const codec of allCodecs()) {
    const { model } = codec;
    it(`${model.name}: every truncation of a valid encoding and random bytes give a ProtocolError, never a RangeError or TypeError`, () => {
      const values = new SpecValues(model);
      for (const version of model.all) {
        for (const value of fc.sample(values.message(version), SAMPLES_PER_VERSION)) {
          const w = new Writer();
          codec.write(w, version, value);
          const bytes = w.toBuffer();
          for (let end = 0; end < bytes.length; end++) {
            const truncated = bytes.subarray(0, end);
            assert.throws(() => codec.read(new Reader(truncated), version), ProtocolError, `${model.name} v${version} truncated at ${end}`);
          }
          // Flip one byte at a time: parses or fails cleanly.
          for (let at = 0; at < bytes.length; at++) {
            const mutated = Buffer.from(bytes);
            mutated[at] ^= 0xff;
            readOrProtocolError(codec, version, mutated, `byte ${at} flipped`);
          }
        }
        for (let i = 0; i < RANDOM_INPUTS_PER_VERSION; i++) {
          readOrProtocolError(codec, version, randomBytes(i * 7), "random bytes");
        }
        readOrProtocolError(codec, version, Buffer.alloc(64, 0xff), "all 0xff");
        readOrProtocolError(codec, version, Buffer.alloc(64, 0x80), "unterminated varints");
      }
    });
  }

  it("an unsupported version is a ProtocolError for reading and for writing", () => {
    for (const codec of allCodecs()) {
      const { model } = codec;
      assert.throws(() => codec.read(new Reader(Buffer.alloc(8)), model.max + 1), ProtocolError);
      assert.throws(() => codec.write(new Writer(), model.max + 1, {}), ProtocolError);
      if (model.min > 0) assert.throws(() => codec.read(new Reader(Buffer.alloc(8)), model.min - 1), ProtocolError);
    }
  });
});
