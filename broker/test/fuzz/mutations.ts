/**
 * Mutations that matter to a Kafka request parser, as fast-check
 * arbitraries: integers and length prefixes set to 0, -1, huge or off by
 * one; another api key or version on the same body; truncation; tagged
 * fields; record batch headers (CRC, counts, lengths, codecs) with the CRC
 * fixed or not; and the framing: size prefixes and how the bytes arrive.
 */
import fc from "fast-check";
import { ALL_HANDLERS } from "../../src/handlers";
import { computeBatchCrc } from "../../src/protocol/records/record-batch";
import { Writer } from "../../src/protocol/writer";
import type { Mark, Seed, SeedFrame } from "./seeds";

export type Mutation =
  | { kind: "integer"; pick: number; value: IntegerChoice }
  | { kind: "batch"; pick: number; field: BatchField; value: IntegerChoice; fixCrc: boolean }
  | { kind: "tagged"; pick: number; tags: Array<{ tag: number; data: Uint8Array }> }
  | { kind: "api"; apiKey: number | null; version: IntegerChoice }
  | { kind: "flip"; at: number; mask: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number };

/** A value for an integer field: one of the edges, relative to the old value, or any. */
export type IntegerChoice = { edge: "zero" | "minus-one" | "max" | "min" | "plus-one" | "minus-one-from" | "one" } | { any: number };

/** Record batch header fields (magic v2), by offset and width. */
const BATCH_FIELDS = {
  baseOffset: [0, 8],
  batchLength: [8, 4],
  partitionLeaderEpoch: [12, 4],
  magic: [16, 1],
  crc: [17, 4],
  attributes: [21, 2],
  lastOffsetDelta: [23, 4],
  baseTimestamp: [27, 8],
  maxTimestamp: [35, 8],
  producerId: [43, 8],
  producerEpoch: [51, 2],
  baseSequence: [53, 4],
  recordCount: [57, 4],
  // Not header fields: the first record's length varint and the codec bits of the attributes.
  codec: [22, 1],
  firstRecordLength: [61, 1],
} as const;
type BatchField = keyof typeof BATCH_FIELDS;

export interface Framing {
  /** The int32 size prefix of the first frame: as it should be, or bent. */
  size: IntegerChoice | "exact";
  /** Fractions of the bytes at which the socket read is split. */
  splits: number[];
  /** Frames sent again after the first pass, pipelined on the same connection. */
  repeat: number;
  /** A partial frame left at the end (a client that stops mid-request). */
  trailingBytes: number;
}

export interface FuzzInput {
  seed: Seed;
  /** Which of the seed's frames the mutations apply to. */
  target: number;
  mutations: Mutation[];
  framing: Framing;
}

const integerChoice: fc.Arbitrary<IntegerChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("zero", "minus-one", "max", "min", "plus-one", "minus-one-from", "one").map((edge) => ({ edge }) as IntegerChoice) },
  { weight: 1, arbitrary: fc.integer().map((any) => ({ any })) },
);
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const servedKeys = ALL_HANDLERS.map((handler) => handler.apiKey);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("integer" as const), pick: fc.nat(), value: integerChoice }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      pick: fc.nat(),
      field: fc.constantFrom(...(Object.keys(BATCH_FIELDS) as BatchField[])),
      value: integerChoice,
      fixCrc: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("tagged" as const),
      pick: fc.nat(),
      tags: fc.array(fc.record({ tag: fc.oneof(fc.nat(3), fc.nat()), data: fc.uint8Array({ maxLength: 12 }) }), { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("api" as const), apiKey: fc.option(fc.constantFrom(...servedKeys), { nil: null }), version: integerChoice }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("flip" as const), at: fraction, mask: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fraction }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fraction, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fraction, count: fc.integer({ min: 1, max: 8 }) }) },
);

const framing: fc.Arbitrary<Framing> = fc.record({
  size: fc.oneof({ weight: 6, arbitrary: fc.constant("exact" as const) }, { weight: 1, arbitrary: integerChoice }),
  splits: fc.array(fraction, { maxLength: 3 }),
  repeat: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
  trailingBytes: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 12 }) }),
});

/** Inputs drawn from `seeds`: a seed, up to four mutations of one of its frames, and a framing. */
export function fuzzInputArbitrary(seeds: fc.Arbitrary<Seed>): fc.Arbitrary<FuzzInput> {
  return fc.record({
    seed: seeds,
    target: fc.nat(),
    mutations: fc.array(mutation, { maxLength: 4 }),
    framing,
  });
}

/** The bytes a mutated input puts on the wire, as the chunks the socket would deliver. */
export function renderInput(input: FuzzInput): Buffer[] {
  const frames = input.seed.frames.map((frame) => frame.frame);
  const target = input.target % frames.length;
  frames[target] = mutateFrame(input.seed.frames[target], input.mutations);
  const sized = frames.map((frame, i) => withSize(frame, i === 0 ? input.framing.size : "exact"));
  for (let i = 0; i < input.framing.repeat; i++) sized.push(...sized.slice(0, frames.length));
  let bytes = Buffer.concat(sized);
  if (input.framing.trailingBytes > 0) bytes = Buffer.concat([bytes, sized[0].subarray(0, input.framing.trailingBytes)]);
  const cuts = [...new Set(input.framing.splits.map((at) => Math.floor(at * bytes.length)))].filter((at) => at > 0).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function withSize(frame: Buffer, size: Framing["size"]): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size === "exact" ? frame.length : chooseInteger(size, frame.length, 32), 0);
  return Buffer.concat([prefix, frame]);
}

/** Applies the field mutations (from the last position back, so earlier marks stay valid), then the byte-level ones. */
export function mutateFrame(seed: SeedFrame, mutations: readonly Mutation[]): Buffer {
  let frame: Buffer = Buffer.from(seed.frame);
  const aimed: Array<{ m: Mutation; at: number }> = [];
  for (const m of mutations) {
    const at = positionOf(seed, m);
    if (at !== null) aimed.push({ m, at });
  }
  aimed.sort((a, b) => b.at - a.at);
  for (const { m } of aimed) frame = applyAimed(frame, seed, m);
  for (const m of mutations) frame = applyBytes(frame, m);
  return frame;
}

function positionOf(seed: SeedFrame, m: Mutation): number | null {
  if (m.kind === "integer") return seed.marks.length === 0 ? null : seed.marks[m.pick % seed.marks.length].at;
  if (m.kind === "tagged") {
    const counts = seed.marks.filter((mark) => mark.kind === "uvarint");
    return counts.length === 0 ? null : counts[m.pick % counts.length].at;
  }
  if (m.kind === "batch") return seed.batches.length === 0 ? null : seed.batches[m.pick % seed.batches.length] + BATCH_FIELDS[m.field][0];
  return null;
}

function applyAimed(frame: Buffer, seed: SeedFrame, m: Mutation): Buffer {
  if (m.kind === "integer") {
    const mark = seed.marks[m.pick % seed.marks.length];
    return replaceInteger(frame, mark, m.value);
  }
  if (m.kind === "tagged") {
    // A uvarint: a tagged-field count, a compact length or a tag. Replace it with tagged fields of our own.
    const counts = seed.marks.filter((mark) => mark.kind === "uvarint");
    const mark = counts[m.pick % counts.length];
    const w = new Writer();
    w.writeUnsignedVarint(m.tags.length);
    for (const { tag, data } of m.tags) w.writeUnsignedVarint(tag).writeUnsignedVarint(data.length).writeRaw(Buffer.from(data));
    return Buffer.concat([frame.subarray(0, mark.at), w.toBuffer(), frame.subarray(mark.at + mark.bytes)]);
  }
  if (m.kind === "batch") {
    const start = seed.batches[m.pick % seed.batches.length];
    const [offset, width] = BATCH_FIELDS[m.field];
    if (start + offset + width > frame.length) return frame;
    const mutated = Buffer.from(frame);
    if (m.field === "codec") {
      // The low three bits of the attributes: a codec the batch was not compressed with, or none at all.
      const codec = chooseInteger(m.value, mutated[start + offset] & 7, 8) & 7;
      mutated[start + offset] = (mutated[start + offset] & ~7) | codec;
    } else writeInteger(mutated, start + offset, width, chooseInteger(m.value, readInteger(mutated, start + offset, width), width * 8));
    if (m.fixCrc && m.field !== "crc") {
      // With a valid CRC the mutation gets past the checksum to the validation behind it.
      const length = mutated.readInt32BE(start + 8);
      if (length > 0 && start + 12 + length <= mutated.length) mutated.writeUInt32BE(computeBatchCrc(mutated, start) >>> 0, start + 17);
    }
    return mutated;
  }
  return frame;
}

function applyBytes(frame: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case "api": {
      if (frame.length < 4) return frame;
      const mutated = Buffer.from(frame);
      if (m.apiKey !== null) mutated.writeInt16BE(m.apiKey, 0);
      mutated.writeInt16BE(chooseInteger(m.version, mutated.readInt16BE(2), 16), 2);
      return mutated;
    }
    case "flip": {
      if (frame.length === 0) return frame;
      const mutated = Buffer.from(frame);
      mutated[Math.floor(m.at * frame.length)] ^= m.mask;
      return mutated;
    }
    case "truncate":
      return frame.subarray(0, Math.floor(m.at * frame.length));
    case "insert": {
      const at = Math.floor(m.at * (frame.length + 1));
      return Buffer.concat([frame.subarray(0, at), Buffer.from(m.bytes), frame.subarray(at)]);
    }
    case "delete": {
      const at = Math.floor(m.at * frame.length);
      return Buffer.concat([frame.subarray(0, at), frame.subarray(at + m.count)]);
    }
    default:
      return frame;
  }
}

function replaceInteger(frame: Buffer, mark: Mark, choice: IntegerChoice): Buffer {
  if (mark.at + mark.bytes > frame.length) return frame;
  if (mark.kind === "uvarint" || mark.kind === "varint") {
    const old = readUvarint(frame, mark.at);
    const value = chooseInteger(choice, old, 32);
    const w = new Writer();
    if (mark.kind === "uvarint") w.writeUnsignedVarint(value >>> 0);
    else w.writeVarint(value | 0);
    return Buffer.concat([frame.subarray(0, mark.at), w.toBuffer(), frame.subarray(mark.at + mark.bytes)]);
  }
  const mutated = Buffer.from(frame);
  const width = { int8: 1, int16: 2, int32: 4, int64: 8 }[mark.kind];
  writeInteger(mutated, mark.at, width, chooseInteger(choice, readInteger(mutated, mark.at, width), width * 8));
  return mutated;
}

function readUvarint(buffer: Buffer, at: number): number {
  let value = 0;
  for (let shift = 0; shift < 35 && at < buffer.length; shift += 7) {
    const byte = buffer[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  return value;
}

/** The chosen value for a field of `bits` bits whose current value is `old`. */
function chooseInteger(choice: IntegerChoice, old: number, bits: number): number {
  // 64-bit fields get 32-bit values too: an int64 read into a number is not exact.
  const max = bits >= 32 ? 0x7fffffff : 2 ** (bits - 1) - 1;
  const min = bits >= 32 ? -0x80000000 : -(2 ** (bits - 1));
  return Math.max(min, Math.min(max, unclamped(choice, old, max, min)));
}

function unclamped(choice: IntegerChoice, old: number, max: number, min: number): number {
  if ("any" in choice) return choice.any;
  switch (choice.edge) {
    case "zero":
      return 0;
    case "one":
      return 1;
    case "minus-one":
      return -1;
    case "max":
      return max;
    case "min":
      return min;
    case "plus-one":
      return old + 1;
    case "minus-one-from":
      return old - 1;
  }
}

function readInteger(buffer: Buffer, at: number, width: number): number {
  switch (width) {
    case 1:
      return buffer.readInt8(at);
    case 2:
      return buffer.readInt16BE(at);
    case 4:
      return buffer.readInt32BE(at);
    default:
      return Number(buffer.readBigInt64BE(at));
  }
}

function writeInteger(buffer: Buffer, at: number, width: number, value: number): void {
  switch (width) {
    case 1:
      return void buffer.writeInt8(value, at);
    case 2:
      return void buffer.writeInt16BE(value, at);
    case 4:
      return void buffer.writeInt32BE(value, at);
    default:
      return void buffer.writeBigInt64BE(BigInt(value), at);
  }
}
