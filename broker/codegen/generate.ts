/**
 * Generates the Kafka wire-protocol codecs from the protocol message specs.
 *
 * Mapping: each spec `FooRequest.json` (request, response, header and data
 * types) becomes `generated/foo-request.ts` with `interface FooRequest`
 * (camelCase properties; nested structs become `FooRequest<StructName>`),
 * `readFooRequest(r, version)` and `writeFooRequest(w, version, m)`.
 * bool->boolean, int8..int32/uint16/uint32/float64->number, int64->bigint,
 * string->string, bytes/uuid->Buffer, records->Buffer|null, []T->T[]; a field
 * nullable in any version is `| null`. Fields absent from a version read as
 * their default; tagged fields are read into their properties, unknown tags
 * are kept in `_unknownTaggedFields` and written back in tag order.
 * `api-messages.ts` indexes requests/responses by api key; `index.ts`
 * re-exports everything.
 *
 * Usage: tsx codegen/generate.ts [specDir] [outDir]
 *   specDir: argv[2], else $KAFKA_PROTOCOL_SPECS, else ../shared/kafka-protocol/message from the repo root.
 *   outDir:  argv[3], else broker/src/protocol/generated.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { HEADER, MessageEmitter } from "./emit";
import { type RawMessage, buildModel, kebabCase, loadSpecs, parseVersions, validRange } from "./spec";

const here = dirname(fileURLToPath(import.meta.url));
const brokerRoot = resolve(here, "..");
const repoRoot = resolve(brokerRoot, "..");

export function defaultSpecDir(): string {
  return process.env.KAFKA_PROTOCOL_SPECS
    ? resolve(process.env.KAFKA_PROTOCOL_SPECS)
    : resolve(repoRoot, "../shared/kafka-protocol/message");
}

export const DEFAULT_OUT_DIR = resolve(brokerRoot, "src/protocol/generated");

const RUNTIME = `${HEADER}
import { ProtocolError } from "../errors";
import type { Writer } from "../writer";

/** Writes a tagged-field section: count, then each field (tag, size, bytes) in ascending tag order. */
export function writeTaggedFields(w: Writer, fields: { tag: number; data: Buffer }[] | null | undefined): void {
  if (!fields || fields.length === 0) {
    w.writeUnsignedVarint(0);
    return;
  }
  const sorted = fields.length === 1 ? fields : fields.slice().sort((a, b) => a.tag - b.tag);
  w.writeUnsignedVarint(sorted.length);
  for (const f of sorted) {
    w.writeUnsignedVarint(f.tag);
    w.writeUnsignedVarint(f.data.length);
    w.writeRaw(f.data);
  }
}

/** True for the all-zero uuid (Kafka's Uuid.ZERO_UUID). */
export function isZeroUuid(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** A value that may not be null in the version being written. */
export function nonNull<T>(v: T | null, field: string): T {
  if (v === null) throw new ProtocolError(\`\${field} is not nullable in this version\`);
  return v;
}
`;

function apiName(spec: RawMessage): string {
  return spec.name.replace(/Request$/, "");
}

function emitApiMessages(specs: RawMessage[]): string {
  const requests = new Map<number, RawMessage>();
  const responses = new Map<number, RawMessage>();
  for (const s of specs) {
    if (s.apiKey === undefined) continue;
    if (s.type === "request") requests.set(s.apiKey, s);
    if (s.type === "response") responses.set(s.apiKey, s);
  }
  const keys = [...requests.keys()].sort((a, b) => a - b);
  const lines: string[] = [HEADER, 'import type { Reader } from "../reader";', 'import type { Writer } from "../writer";'];
  for (const k of keys) {
    const req = requests.get(k)!;
    const res = responses.get(k);
    if (!res) throw new Error(`api key ${k} has no response spec`);
    lines.push(`import { read${req.name}, write${req.name} } from "./${kebabCase(req.name)}";`);
    lines.push(`import { read${res.name}, write${res.name} } from "./${kebabCase(res.name)}";`);
  }
  lines.push("");
  lines.push("/** Api keys by name (the request name without `Request`). */");
  lines.push("export const ApiKey = {");
  for (const k of keys) lines.push(`  ${apiName(requests.get(k)!)}: ${k},`);
  lines.push("} as const;");
  lines.push("");
  lines.push("export type ApiKeyName = keyof typeof ApiKey;");
  lines.push("");
  lines.push(`export interface ApiMessageSpec {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  flexibleMinVersion: number | null;
  listeners: readonly string[];
  latestVersionUnstable: boolean;
  readRequest(r: Reader, version: number): unknown;
  writeRequest(w: Writer, version: number, m: any): void;
  readResponse(r: Reader, version: number): unknown;
  writeResponse(w: Writer, version: number, m: any): void;
}`);
  lines.push("");
  lines.push("export const API_MESSAGES: ReadonlyMap<number, ApiMessageSpec> = new Map<number, ApiMessageSpec>([");
  for (const k of keys) {
    const req = requests.get(k)!;
    const res = responses.get(k)!;
    const { min, max } = validRange(req);
    const rr = validRange(res);
    if (rr.min !== min || rr.max !== max) throw new Error(`${req.name}/${res.name}: version ranges differ`);
    const flex = parseVersions(req.flexibleVersions, max);
    const flexMin = flex.length > 0 ? flex[0] : null;
    lines.push("  [");
    lines.push(`    ${k},`);
    lines.push("    {");
    lines.push(`      apiKey: ${k},`);
    lines.push(`      name: ${JSON.stringify(apiName(req))},`);
    lines.push(`      minVersion: ${min},`);
    lines.push(`      maxVersion: ${max},`);
    lines.push(`      flexibleMinVersion: ${flexMin},`);
    lines.push(`      listeners: [${(req.listeners ?? []).map((l) => JSON.stringify(l)).join(", ")}],`);
    lines.push(`      latestVersionUnstable: ${req.latestVersionUnstable === true},`);
    lines.push(`      readRequest: read${req.name},`);
    lines.push(`      writeRequest: write${req.name},`);
    lines.push(`      readResponse: read${res.name},`);
    lines.push(`      writeResponse: write${res.name},`);
    lines.push("    },");
    lines.push("  ],");
  }
  lines.push("]);");
  lines.push("");
  lines.push(`/** The request header version of a request: 2 for flexible versions, else 1 (ControlledShutdown v0: 0). */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  const spec = API_MESSAGES.get(apiKey);
  return spec !== undefined && spec.flexibleMinVersion !== null && apiVersion >= spec.flexibleMinVersion ? 2 : 1;
}

/** The response header version: 1 for flexible versions, else 0; ApiVersions responses always use 0. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  const spec = API_MESSAGES.get(apiKey);
  return spec !== undefined && spec.flexibleMinVersion !== null && apiVersion >= spec.flexibleMinVersion ? 1 : 0;
}
`);
  return lines.join("\n");
}

/** Generates every file; returns file name -> contents, sorted by name. */
export function generate(specDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const specs = loadSpecs(specDir)
    .map((s) => s.spec)
    .filter((s) => s.type !== "metadata");
  const exported = new Map<string, string>();
  const modules: string[] = [];
  for (const spec of specs) {
    const model = buildModel(spec);
    const file = kebabCase(spec.name);
    for (const name of [spec.name, ...model.structs.map((s) => s.tsName)]) {
      const other = exported.get(name);
      if (other !== undefined) throw new Error(`exported name ${name} clashes between ${other} and ${file}`);
      exported.set(name, file);
    }
    files.set(`${file}.ts`, new MessageEmitter(model).emit());
    modules.push(file);
  }
  files.set("runtime.ts", RUNTIME);
  files.set("api-messages.ts", emitApiMessages(specs));
  const index = [HEADER, 'export * from "./api-messages";', 'export * from "./runtime";'];
  for (const m of [...modules].sort()) index.push(`export * from "./${m}";`);
  files.set("index.ts", index.join("\n") + "\n");
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Writes the generated files into `outDir`, removing stale generated .ts files. */
export function writeGenerated(files: Map<string, string>, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir)) {
    if (f.endsWith(".ts") && !files.has(f)) rmSync(join(outDir, f));
  }
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
}

function main(): void {
  const specDir = process.argv[2] ? resolve(process.argv[2]) : defaultSpecDir();
  const outDir = process.argv[3] ? resolve(process.argv[3]) : DEFAULT_OUT_DIR;
  const files = generate(specDir);
  writeGenerated(files, outDir);
  process.stdout.write(`generated ${files.size} files from ${specDir} into ${outDir}\n`);
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) main();
