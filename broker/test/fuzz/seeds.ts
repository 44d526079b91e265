/**
 * Fuzz seeds: request frames with a map of where their integers, length
 * prefixes and record batches sit, so that mutations can aim at the fields
 * Kafka's parsers trust (sizes of arrays, strings, bytes; compact lengths;
 * tagged-field counts; batch headers) instead of only flipping bytes.
 */
import fc from "fast-check";
import { ALL_HANDLERS } from "../../src/handlers";
import { API_MESSAGES, ApiKey, requestHeaderVersion } from "../../src/protocol/generated/api-messages";
import { readRequestHeader, writeRequestHeader } from "../../src/protocol/generated";
import { Reader } from "../../src/protocol/reader";
import { CompressionType } from "../../src/protocol/records/batch-header";
import { encodeRecordBatch } from "../../src/protocol/records/record-batch";
import { Writer } from "../../src/protocol/writer";
import { loadGoldenFrames } from "../helpers/golden";
import { allCodecs, SpecValues, type Value } from "../protocol/spec-arbitrary";

/** Where a value was written, and how it is encoded. */
export interface Mark {
  kind: "int8" | "int16" | "int32" | "int64" | "uvarint" | "varint";
  at: number;
  bytes: number;
}

/** One request frame (header and body, no size prefix) and its marks. */
export interface SeedFrame {
  frame: Buffer;
  marks: Mark[];
  /** Record batches (magic 2) inside the frame: start offsets. */
  batches: number[];
}

/** What the fuzzer starts from: frames sent in order on one connection of a listener. */
export interface Seed {
  label: string;
  listener: "PLAINTEXT" | "SASL_PLAINTEXT";
  frames: SeedFrame[];
}

/** Topics the fuzzing node has, so that seeds reach real partitions and groups. */
export const FUZZ_TOPICS = ["fuzz-a", "fuzz-b"] as const;
export const FUZZ_PARTITIONS = 3;
const FUZZ_GROUPS = ["fuzz-group"];

const BATCH_HEADER_BYTES = 61;

/** A Writer that remembers where each integer went (length prefixes are integers too). */
class MarkingWriter extends Writer {
  readonly marks: Mark[] = [];
  readonly raws: Array<{ at: number; bytes: number }> = [];

  private mark<T>(kind: Mark["kind"], write: () => T): T {
    const at = this.length;
    const result = write();
    this.marks.push({ kind, at, bytes: this.length - at });
    return result;
  }
  override writeInt8(value: number): this {
    return this.mark("int8", () => super.writeInt8(value));
  }
  override writeInt16(value: number): this {
    return this.mark("int16", () => super.writeInt16(value));
  }
  override writeInt32(value: number): this {
    return this.mark("int32", () => super.writeInt32(value));
  }
  override writeInt64(value: bigint): this {
    return this.mark("int64", () => super.writeInt64(value));
  }
  override writeUnsignedVarint(value: number): this {
    return this.mark("uvarint", () => super.writeUnsignedVarint(value));
  }
  override writeVarint(value: number): this {
    return this.mark("varint", () => super.writeVarint(value));
  }
  override writeRaw(value: Buffer): this {
    this.raws.push({ at: this.length, bytes: value.length });
    return super.writeRaw(value);
  }
}

export interface RequestValue {
  apiKey: number;
  version: number;
  correlationId: number;
  clientId: string | null;
  body: unknown;
}

/** Encodes a request with the generated writers, noting its marks and batches. */
export function encodeSeedFrame(request: RequestValue): SeedFrame {
  const w = new MarkingWriter();
  writeRequestHeader(w, requestHeaderVersion(request.apiKey, request.version), {
    requestApiKey: request.apiKey,
    requestApiVersion: request.version,
    correlationId: request.correlationId,
    clientId: request.clientId,
  });
  API_MESSAGES.get(request.apiKey)!.writeRequest(w, request.version, request.body);
  const frame = w.toBuffer();
  const batches = w.raws.filter(({ at, bytes }) => bytes >= BATCH_HEADER_BYTES && frame[at + 16] === 2).map(({ at }) => at);
  return { frame, marks: w.marks, batches };
}

/** Decodes a frame and encodes it again to find its marks; a frame that does not round-trip gets none. */
export function markFrame(frame: Buffer): SeedFrame {
  try {
    const apiKey = frame.readInt16BE(0);
    const version = frame.readInt16BE(2);
    const spec = API_MESSAGES.get(apiKey);
    if (spec) {
      const reader = new Reader(frame);
      const header = readRequestHeader(reader, requestHeaderVersion(apiKey, version));
      const body = spec.readRequest(reader, version);
      const seed = encodeSeedFrame({ apiKey, version, correlationId: header.correlationId, clientId: header.clientId, body });
      if (seed.frame.equals(frame)) return seed;
    }
  } catch {
    // Not a well-formed request: byte-level mutations only.
  }
  return { frame, marks: [], batches: [] };
}

/** Record batches a client could send: every codec, keys, headers, several records. */
export function sampleBatches(): Buffer[] {
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
      value: Buffer.from(`value-${i}-`.repeat(1 + (i % 4))),
      headers: i % 2 === 0 ? [{ key: "h", value: Buffer.from([i]) }] : [],
    }));
  const codecs = [CompressionType.NONE, CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD];
  return codecs.map((compression, i) => encodeRecordBatch({ now: Date.now(), records: records(1 + i * 2), compression }));
}

/** Golden frames captured from kafkajs and kcat, each a seed of its own. */
export function goldenSeeds(): Seed[] {
  return ["kafkajs", "kcat"].flatMap((source) =>
    loadGoldenFrames(source).map((golden) => ({
      label: `golden ${source}/${golden.file}`,
      listener: "PLAINTEXT" as const,
      frames: [markFrame(golden.frame)],
    })),
  );
}

/** The request codec and versions of every API the node serves. */
function servedRequests(): Array<{ apiKey: number; min: number; max: number; values: SpecValues }> {
  const codecs = new Map(allCodecs().map((codec) => [codec.model.name, codec]));
  return ALL_HANDLERS.map((handler) => {
    const spec = API_MESSAGES.get(handler.apiKey)!;
    const codec = codecs.get(`${spec.name}Request`);
    if (!codec) throw new Error(`no codec for ${spec.name}Request`);
    return { apiKey: handler.apiKey, min: handler.minVersion, max: handler.maxVersion, values: new SpecValues(codec.model) };
  });
}

const NAME_KEYS = new Set(["name", "topic", "topicName"]);
const PARTITION_KEYS = new Set(["partition", "partitionIndex", "index"]);

/**
 * Points random request values at what the node has: topic names become
 * the fuzz topics, partitions small numbers, records real batches, group
 * ids the fuzz group. Without this almost every request would only meet
 * "unknown topic".
 */
function aimAtNode(value: unknown, pick: () => number, batches: Buffer[]): unknown {
  if (Array.isArray(value)) return value.map((item) => aimAtNode(item, pick, batches));
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) return value;
  const out: Value = {};
  for (const [key, field] of Object.entries(value as Value)) {
    if (NAME_KEYS.has(key) && typeof field === "string" && pick() % 4 !== 0) out[key] = FUZZ_TOPICS[pick() % FUZZ_TOPICS.length];
    else if (PARTITION_KEYS.has(key) && typeof field === "number" && pick() % 4 !== 0) out[key] = pick() % (FUZZ_PARTITIONS + 1);
    else if (key === "records" && pick() % 4 !== 0) out[key] = batches[pick() % batches.length];
    else if (key === "groupId" && typeof field === "string" && pick() % 2 === 0) out[key] = FUZZ_GROUPS[0];
    else out[key] = aimAtNode(field, pick, batches);
  }
  return out;
}

/** Seeds built by the generated writers from values drawn from the specs, for every API and version served. */
export function generatedSeedArbitrary(): fc.Arbitrary<Seed> {
  const batches = sampleBatches();
  const served = servedRequests();
  const perVersion = served.flatMap(({ apiKey, min, max, values }) =>
    Array.from({ length: max - min + 1 }, (_, i) => {
      const version = min + i;
      return fc.tuple(values.message(version), fc.array(fc.nat(), { minLength: 64, maxLength: 64 })).map(([body, picks]): Seed => {
        let next = 0;
        const pick = () => picks[next++ % picks.length];
        const aimed = aimAtNode(body, pick, batches);
        const name = API_MESSAGES.get(apiKey)!.name;
        return {
          label: `generated ${name} v${version}`,
          listener: "PLAINTEXT",
          frames: [encodeSeedFrame({ apiKey, version, correlationId: pick(), clientId: "fuzz", body: aimed })],
        };
      });
    }),
  );
  return fc.oneof(...perVersion);
}

/** A SASL_PLAINTEXT connection's opening exchanges, v1 (SaslAuthenticate) and v0 (bare tokens). */
export function saslSeeds(): Seed[] {
  const plainToken = Buffer.from("\u0000alice\u0000alice-secret");
  const scramFirst = Buffer.from("n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL");
  const handshake = (version: number, mechanism: string) =>
    encodeSeedFrame({ apiKey: ApiKey.SaslHandshake, version, correlationId: 1, clientId: "fuzz", body: { mechanism } });
  const authenticate = (token: Buffer) =>
    encodeSeedFrame({ apiKey: ApiKey.SaslAuthenticate, version: 2, correlationId: 2, clientId: "fuzz", body: { authBytes: token } });
  const raw = (token: Buffer): SeedFrame => ({ frame: token, marks: [], batches: [] });
  const metadata = encodeSeedFrame({
    apiKey: ApiKey.Metadata,
    version: 12,
    correlationId: 3,
    clientId: "fuzz",
    body: { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
  });
  return [
    { label: "sasl v1 PLAIN", listener: "SASL_PLAINTEXT", frames: [handshake(1, "PLAIN"), authenticate(plainToken), metadata] },
    { label: "sasl v1 SCRAM", listener: "SASL_PLAINTEXT", frames: [handshake(1, "SCRAM-SHA-256"), authenticate(scramFirst)] },
    { label: "sasl v0 PLAIN", listener: "SASL_PLAINTEXT", frames: [handshake(0, "PLAIN"), raw(plainToken), metadata] },
    { label: "sasl v0 SCRAM", listener: "SASL_PLAINTEXT", frames: [handshake(0, "SCRAM-SHA-512"), raw(scramFirst)] },
  ];
}
