/**
 * Loading and modelling the Kafka protocol message specs (JSON with `//`
 * comments). Shared by the code generator and by the tests that interpret the
 * specs at test time.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  ignorable?: boolean;
  fields?: RawField[];
  [key: string]: unknown;
}

export interface RawStruct {
  name: string;
  versions?: string;
  fields: RawField[];
}

export interface RawMessage {
  apiKey?: number;
  type: "request" | "response" | "header" | "data" | "metadata";
  name: string;
  validVersions: string;
  flexibleVersions: string;
  listeners?: string[];
  latestVersionUnstable?: boolean;
  fields: RawField[];
  commonStructs?: RawStruct[];
}

/** A set of versions, as a sorted list of integers within a message's valid range. */
export type VersionSet = readonly number[];

/** Strips whole-line `//` comments (the only kind the spec files use) and parses. */
export function parseSpecText(text: string): RawMessage {
  const stripped = text
    .split("\n")
    .map((line) => (/^\s*\/\//.test(line) ? "" : line))
    .join("\n");
  return JSON.parse(stripped) as RawMessage;
}

/** Every spec in a directory, sorted by file name. */
export function loadSpecs(dir: string): { file: string; spec: RawMessage }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, spec: parseSpecText(readFileSync(join(dir, file), "utf8")) }));
}

/** "3" | "3+" | "0-5" | "none" | undefined -> the versions it names within [0, max]. */
export function parseVersions(spec: string | undefined, max: number): number[] {
  if (spec === undefined || spec === "none" || spec === "") return [];
  const s = spec.trim();
  let lo: number;
  let hi: number;
  if (s.endsWith("+")) {
    lo = Number(s.slice(0, -1));
    hi = max;
  } else if (s.includes("-")) {
    const [a, b] = s.split("-");
    lo = Number(a);
    hi = Number(b);
  } else {
    lo = hi = Number(s);
  }
  if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new Error(`bad version range "${spec}"`);
  const out: number[] = [];
  for (let v = lo; v <= Math.min(hi, max); v++) out.push(v);
  return out;
}

export function validRange(spec: RawMessage): { min: number; max: number } {
  const parts = spec.validVersions.split("-").map(Number);
  return { min: parts[0], max: parts[parts.length - 1] };
}

export function intersect(a: VersionSet, b: VersionSet): number[] {
  const bs = new Set(b);
  return a.filter((v) => bs.has(v));
}
export function union(a: VersionSet, b: VersionSet): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}
export function minus(a: VersionSet, b: VersionSet): number[] {
  const bs = new Set(b);
  return a.filter((v) => !bs.has(v));
}

export const PRIMITIVES = new Set([
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float64",
  "string",
  "bytes",
  "uuid",
  "records",
]);

export interface FieldType {
  array: boolean;
  /** A primitive type name, or a struct name. */
  elem: string;
  struct: boolean;
}

export function fieldType(type: string): FieldType {
  const array = type.startsWith("[]");
  const elem = array ? type.slice(2) : type;
  return { array, elem, struct: !PRIMITIVES.has(elem) };
}

/** `TopicData` -> `topicData`. */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** `ProduceRequest` -> `produce-request`, `KRaftVersionRecord` -> `k-raft-version-record`. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/**
 * The structs of one message: every struct type defined inline or in
 * commonStructs, with the interface name it gets and the versions in which it
 * can occur on the wire.
 */
export interface StructDef {
  /** Name in the spec. */
  specName: string;
  /** Exported interface name: `<MessageName><StructName>` (+ a number when redefined differently). */
  tsName: string;
  fields: RawField[];
  /** Versions in which this struct can appear. */
  context: number[];
}

export interface MessageModel {
  spec: RawMessage;
  name: string;
  min: number;
  max: number;
  all: number[];
  flexible: number[];
  root: StructDef;
  /** Non-root structs in first-appearance order. */
  structs: StructDef[];
  /** The struct a struct-typed field refers to. */
  structOf: Map<RawField, StructDef>;
}

export function buildModel(spec: RawMessage): MessageModel {
  const { min, max } = validRange(spec);
  const all = parseVersions(`${min}-${max}`, max);
  const flexible = intersect(parseVersions(spec.flexibleVersions, max), all);
  const root: StructDef = { specName: spec.name, tsName: spec.name, fields: spec.fields, context: all };
  const structs: StructDef[] = [];
  const structOf = new Map<RawField, StructDef>();
  const common = new Map<string, RawStruct>();
  for (const cs of spec.commonStructs ?? []) common.set(cs.name, cs);
  const byName = new Map<string, StructDef[]>();
  const commonDefs = new Map<string, StructDef>();
  const usedNames = new Set<string>([spec.name]);

  const register = (specName: string, fields: RawField[]): StructDef => {
    const key = JSON.stringify(fields);
    const list = byName.get(specName) ?? [];
    for (const d of list) if (JSON.stringify(d.fields) === key) return d;
    let tsName = spec.name + specName;
    for (let n = 2; usedNames.has(tsName); n++) tsName = `${spec.name}${specName}${n}`;
    usedNames.add(tsName);
    const def: StructDef = { specName, tsName, fields, context: [] };
    list.push(def);
    byName.set(specName, list);
    structs.push(def);
    return def;
  };

  const walk = (fields: RawField[], context: number[]): void => {
    for (const f of fields) {
      const t = fieldType(f.type);
      if (!t.struct) continue;
      let def: StructDef;
      if (f.fields) {
        def = register(t.elem, f.fields);
      } else {
        const cs = common.get(t.elem);
        if (!cs) throw new Error(`${spec.name}.${f.name}: unknown struct type ${t.elem}`);
        def = commonDefs.get(t.elem) ?? register(t.elem, cs.fields);
        commonDefs.set(t.elem, def);
      }
      structOf.set(f, def);
      const ctx = intersect(context, parseVersions(f.versions, max));
      const before = def.context.length;
      def.context = union(def.context, ctx);
      // Walk again whenever the struct's context grew, so nested contexts stay complete.
      if (def.context.length !== before || before === 0) walk(def.fields, def.context);
    }
  };
  walk(spec.fields, all);
  return { spec, name: spec.name, min, max, all, flexible, root, structs, structOf };
}
