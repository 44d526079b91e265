/**
 * A test-time interpreter of the protocol specs: fast-check arbitraries of
 * message values that respect one version (fields of other versions hold
 * their defaults, null only where the version allows it, tagged fields either
 * default or set, sometimes unknown tags), written independently of the
 * generator's emitter so the two cross-check each other.
 */
import fc from "fast-check";
import * as generated from "../../src/protocol/generated";
import type { Reader } from "../../src/protocol/reader";
import type { Writer } from "../../src/protocol/writer";
import { defaultSpecDir } from "../../codegen/generate";
import {
  type MessageModel,
  type RawField,
  type StructDef,
  buildModel,
  camelCase,
  fieldType,
  loadSpecs,
  parseVersions,
} from "../../codegen/spec";

export type Value = Record<string, unknown>;

export interface Codec {
  model: MessageModel;
  read(r: Reader, version: number): Value;
  write(w: Writer, version: number, m: Value): void;
}

/** Every generated message (requests, responses, headers, data), with its model, sorted by name. */
export function allCodecs(): Codec[] {
  const table = generated as unknown as Record<string, unknown>;
  return loadSpecs(defaultSpecDir())
    .map((s) => s.spec)
    .filter((s) => s.type !== "metadata")
    .map((spec) => {
      const read = table[`read${spec.name}`];
      const write = table[`write${spec.name}`];
      if (typeof read !== "function" || typeof write !== "function") throw new Error(`no codec for ${spec.name}`);
      return {
        model: buildModel(spec),
        read: read as Codec["read"],
        write: write as Codec["write"],
      };
    });
}

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export class SpecValues {
  constructor(readonly model: MessageModel) {}

  private versionsOf(f: RawField, key: "versions" | "nullableVersions" | "taggedVersions"): number[] {
    return parseVersions(f[key], this.model.max);
  }

  private structOf(f: RawField): StructDef {
    const s = this.model.structOf.get(f);
    if (!s) throw new Error(`no struct for ${f.name}`);
    return s;
  }

  private mayBeNull(f: RawField): boolean {
    const t = fieldType(f.type);
    return this.versionsOf(f, "nullableVersions").length > 0 || f.default === "null" || (t.elem === "records" && !t.array);
  }

  private parseDefault(f: RawField, d: string | number | boolean): unknown {
    const t = fieldType(f.type);
    if (d === "null") return null;
    if (t.array) return [];
    if (t.struct) return this.structDefault(this.structOf(f));
    switch (t.elem) {
      case "bool":
        return d === true || d === "true";
      case "string":
        return String(d);
      case "int64":
        return BigInt(String(d));
      case "float64":
        return Number(d);
      default: {
        const s = String(d);
        return s.startsWith("-") ? -Number(s.slice(1)) : Number(s);
      }
    }
  }

  private zero(f: RawField, recordsNull: boolean): unknown {
    const t = fieldType(f.type);
    if (t.array) return [];
    if (t.struct) return this.structDefault(this.structOf(f));
    switch (t.elem) {
      case "bool":
        return false;
      case "int64":
        return 0n;
      case "string":
        return "";
      case "bytes":
        return Buffer.alloc(0);
      case "uuid":
        return Buffer.alloc(16);
      case "records":
        return recordsNull ? null : Buffer.alloc(0);
      default:
        return 0;
    }
  }

  /** The value a field has when it is not on the wire in `version`. */
  absentDefault(f: RawField, version: number): unknown {
    if (f.default !== undefined) return this.parseDefault(f, f.default);
    if (this.versionsOf(f, "nullableVersions").includes(version)) return null;
    return this.zero(f, false);
  }

  /** The default of a tagged field (and of a field in a default struct). */
  staticDefault(f: RawField): unknown {
    if (f.default !== undefined) return this.parseDefault(f, f.default);
    return this.zero(f, this.mayBeNull(f));
  }

  structDefault(def: StructDef): Value {
    const out: Value = {};
    for (const f of def.fields) out[camelCase(f.name)] = this.staticDefault(f);
    return out;
  }

  private scalar(f: RawField, version: number): fc.Arbitrary<unknown> {
    const t = fieldType(f.type);
    if (t.struct) return this.struct(this.structOf(f), version);
    const range = INT_RANGES[t.elem];
    if (range) return fc.integer({ min: range[0], max: range[1] });
    switch (t.elem) {
      case "bool":
        return fc.boolean();
      case "int64":
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case "float64":
        return fc.double({ noNaN: true });
      case "string":
        return fc.string({ unit: "grapheme", maxLength: 8 });
      case "uuid":
        return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));
      case "bytes":
      case "records":
        return fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
      default:
        throw new Error(`unknown type ${f.type}`);
    }
  }

  /** Any value of the field that is valid on the wire in `version`. */
  field(f: RawField, version: number): fc.Arbitrary<unknown> {
    const t = fieldType(f.type);
    const base = t.array ? fc.array(this.scalar(f, version), { maxLength: 3 }) : this.scalar(f, version);
    if (this.versionsOf(f, "nullableVersions").includes(version)) return fc.option(base, { nil: null, freq: 4 });
    return base;
  }

  struct(def: StructDef, version: number): fc.Arbitrary<Value> {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of def.fields) {
      const key = camelCase(f.name);
      if (!this.versionsOf(f, "versions").includes(version)) {
        const d = this.absentDefault(f, version);
        shape[key] = fc.constant(d);
      } else if (this.versionsOf(f, "taggedVersions").includes(version)) {
        shape[key] = fc.oneof(fc.constant(this.staticDefault(f)), this.field(f, version));
      } else {
        shape[key] = this.field(f, version);
      }
    }
    if (this.model.flexible.includes(version)) {
      shape._unknownTaggedFields = fc.option(
        fc
          .uniqueArray(fc.integer({ min: 64, max: 300 }), { minLength: 1, maxLength: 2 })
          .chain((tags) =>
            fc.tuple(...tags.sort((a, b) => a - b).map((tag) => fc.uint8Array({ maxLength: 6 }).map((d) => ({ tag, data: Buffer.from(d) })))),
          ),
        { nil: undefined, freq: 4 },
      );
    }
    // fc.record builds null-prototype objects; the codecs build plain ones.
    return fc.record(shape).map((o) => {
      const out: Value = { ...o };
      if (out._unknownTaggedFields === undefined) delete out._unknownTaggedFields;
      return out;
    });
  }

  message(version: number): fc.Arbitrary<Value> {
    return this.struct(this.model.root, version);
  }
}
