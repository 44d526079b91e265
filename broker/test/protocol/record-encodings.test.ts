import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProtocolError } from "../../src/protocol/errors";
import { Reader } from "../../src/protocol/reader";
import { sizeOfSafeVarlong, sizeOfVarint, sizeOfVarintBytes, Writer } from "../../src/protocol/writer";

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ""), "hex");

describe("Reader and Writer: the record encodings", () => {
  it("zig-zag varints and safe varlongs round-trip, in the bytes Kafka uses and the sizes announced", () => {
    const ints = [0, -1, 1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)];
    const longs = [0, -1, 1, 1_700_000_000_000, -1_700_000_000_000, 2 ** 52 - 1, -(2 ** 52)];
    const w = new Writer(1);
    for (const value of ints) w.writeVarint(value);
    for (const value of longs) w.writeSafeVarlong(value);
    const bytes = w.toBuffer();
    assert.equal(bytes.length, ints.reduce((n, v) => n + sizeOfVarint(v), 0) + longs.reduce((n, v) => n + sizeOfSafeVarlong(v), 0));
    const r = new Reader(bytes);
    assert.deepEqual(ints.map(() => r.readVarint()), ints);
    assert.deepEqual(longs.map(() => r.readSafeVarlong()), longs);
    assert.equal(r.remaining, 0);
    // -1 is 01, 300 is d8 04 (zig-zag 600)
    assert.deepEqual(new Writer().writeVarint(-1).writeVarint(300).toBuffer(), hex("01 d804"));
  });

  it("varint-length bytes: -1 is null, a length below -1 or past the end does not parse", () => {
    const w = new Writer().writeVarintBytes(null).writeVarintBytes(Buffer.from("abc")).writeVarintBytes(Buffer.alloc(0));
    assert.equal(w.length, sizeOfVarintBytes(null) + sizeOfVarintBytes(Buffer.from("abc")) + sizeOfVarintBytes(Buffer.alloc(0)));
    const r = new Reader(w.toBuffer());
    assert.equal(r.readVarintBytes(), null);
    assert.equal(r.readVarintBytes()?.toString(), "abc");
    assert.equal(r.readVarintBytes()?.length, 0);
    assert.throws(() => new Reader(hex("03")).readVarintBytes(), ProtocolError); // -2
    assert.throws(() => new Reader(hex("08 6162")).readVarintBytes(), ProtocolError); // 4 bytes, 2 there
    assert.throws(() => new Reader(hex("01")).readVarintString(), ProtocolError); // a null header key
    assert.equal(new Reader(hex("06 616263")).skipVarintBytes(), 3);
  });

  it("a varlong beyond 2^53 and varints that do not end are ProtocolErrors, not wrong numbers", () => {
    const beyond = hex("ffffffffffffffff7f"); // zig-zag 2^63 - 1
    assert.throws(() => new Reader(beyond).readSafeVarlong(), ProtocolError);
    assert.throws(() => new Reader(hex("ffffffffffffffffffff01")).readSafeVarlong(), ProtocolError);
    assert.throws(() => new Reader(hex("ffffffffff01")).readVarint(), ProtocolError);
    assert.throws(() => new Reader(hex("ff")).readVarint(), ProtocolError);
    // 2^52 zig-zags to 2^53, which the reader would refuse: so does the writer.
    assert.throws(() => new Writer().writeSafeVarlong(2 ** 52), RangeError);
  });

  it("int64s as numbers: exact within 2^53, and a writer refuses what is not a safe integer", () => {
    const values = [0, -1, 1_700_000_000_000, -(2 ** 53 - 1), 2 ** 53 - 1];
    const w = new Writer();
    for (const value of values) w.writeInt64Number(value);
    const bytes = w.toBuffer();
    const r = new Reader(bytes);
    assert.deepEqual(values.map(() => r.readInt64Number()), values);
    assert.deepEqual(bytes.subarray(8, 16), hex("ffffffffffffffff"));
    assert.throws(() => new Writer().writeInt64Number(2 ** 53), RangeError);
    assert.throws(() => new Writer().writeInt64Number(1.5), RangeError);
  });

  it("a narrowed end bounds reads until it is widened back", () => {
    const r = new Reader(hex("0102 0304"));
    r.end = 2;
    r.skip(2);
    assert.throws(() => r.readInt8(), ProtocolError);
    r.end = 4;
    assert.equal(r.readInt16(), 0x0304);
  });

  it("a contiguous writer copies large payloads into one buffer, and an exactly sized one hands back its own", () => {
    const payload = Buffer.alloc(64 * 1024, 7);
    const chunked = new Writer().writeInt8(1).writeRaw(payload);
    assert.equal(chunked.toChunks().length, 2); // referenced, as fetch responses want
    const size = 1 + payload.length + 1;
    const contiguous = Writer.contiguous(size).writeInt8(1).writeRaw(payload).writeVarint(0);
    assert.equal(contiguous.toChunks().length, 1);
    const out = contiguous.toBuffer();
    assert.equal(out.length, size);
    assert.equal(out.buffer.byteLength >= size, true);
    assert.equal(out[1], 7);
    payload[0] = 9; // a copy: later changes to the payload do not show through
    assert.equal(out[1], 7);
  });
});
