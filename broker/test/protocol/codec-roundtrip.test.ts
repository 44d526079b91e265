import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Reader } from "../../src/protocol/reader";
import { Writer } from "../../src/protocol/writer";
import { type Codec, SpecValues, type Value, allCodecs } from "./spec-arbitrary";

const RUNS_PER_VERSION = Number(process.env.CODEC_PROPERTY_RUNS ?? 20);

function encode(codec: Codec, version: number, value: Value): Buffer {
  const w = new Writer(64);
  codec.write(w, version, value);
  return w.toBuffer();
}

describe("generated codecs round-trip random values of every message in every valid version", () => {
  for (const codec of allCodecs()) {
    const { model } = codec;
    it(`${model.name} v${model.min}-v${model.max}: write, read back the same value, write the same bytes again`, () => {
      const values = new SpecValues(model);
      for (const version of model.all) {
        fc.assert(
          fc.property(values.message(version), (value) => {
            const bytes = encode(codec, version, value);
            const r = new Reader(bytes);
            const decoded = codec.read(r, version);
            assert.equal(r.remaining, 0, `v${version}: bytes left over after reading`);
            assert.deepStrictEqual(decoded, value, `v${version}: decoded value differs`);
            assert.deepStrictEqual(encode(codec, version, decoded), bytes, `v${version}: re-encoding differs`);
          }),
          { numRuns: RUNS_PER_VERSION },
        );
      }
    });
  }
});
