import path from "node:path";
import { writeFileAtomicSync, type FileSystem } from "../runtime/fs";
import type { RandomBytes } from "../runtime/random";

/**
 * Each log directory carries `meta.properties` naming the cluster and node it
 * belongs to, as Kafka's `kafka-storage format` writes it. A node of a quorum
 * starts only on directories formatted beforehand (every node of a cluster
 * must share one cluster id, so none may invent its own); a cluster of one
 * formats its directories on first start. A directory of another node or
 * cluster is refused either way.
 */

/** The storage does not match the node's configuration (or is not formatted): the node must not start on it. */
export class StorageFormatError extends Error {
  override readonly name = "StorageFormatError";
}

/** Kafka cluster ids are Uuids: 16 bytes in URL-safe base64 without padding (22 characters). */
export function isClusterId(text: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(text) && Buffer.from(text, "base64url").length === 16;
}

/** A new cluster id (Kafka's `kafka-storage random-uuid`). */
export function newClusterId(random: RandomBytes): string {
  return random(16).toString("base64url");
}

interface MetaProperties {
  readonly clusterId: string | undefined;
  readonly nodeId: string | undefined;
}

function readMetaProperties(fs: FileSystem, dir: string): MetaProperties | null {
  const file = path.join(dir, "meta.properties");
  if (!fs.existsSync(file)) return null;
  const props = parseSimpleProperties(fs.readFileSync(file).toString("utf8"));
  return { clusterId: props["cluster.id"], nodeId: props["node.id"] };
}

function writeMetaProperties(fs: FileSystem, dir: string, clusterId: string, nodeId: number): void {
  fs.mkdirSync(dir, { recursive: true });
  // Atomic and fsynced: a crash must leave either no file (formatted again) or the whole of it, never an empty one.
  writeFileAtomicSync(fs, path.join(dir, "meta.properties"), `version=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
}

/**
 * Checks every log directory against the node's id and each other, and
 * returns the cluster id. `formatMissing` formats unformatted directories
 * (with the cluster id of the formatted ones, or a new one); without it an
 * unformatted directory is refused.
 */
export function ensureMetaProperties(fs: FileSystem, logDirs: readonly string[], nodeId: number, random: RandomBytes, options: { formatMissing?: boolean } = {}): string {
  const formatMissing = options.formatMissing ?? true;
  let clusterId: string | null = null;
  const unformatted: string[] = [];
  for (const dir of logDirs) {
    const file = path.join(dir, "meta.properties");
    const props = readMetaProperties(fs, dir);
    if (!props) {
      unformatted.push(dir);
      continue;
    }
    if (props.nodeId !== String(nodeId))
      throw new StorageFormatError(`${file} belongs to node.id ${props.nodeId}, but this node is node.id ${nodeId}: format the directory for this node, or give this node its own log.dirs`);
    if (props.clusterId === undefined || !isClusterId(props.clusterId)) throw new StorageFormatError(`${file} has no valid cluster.id (got ${props.clusterId ?? "none"})`);
    if (clusterId !== null && props.clusterId !== clusterId)
      throw new StorageFormatError(`${file} belongs to cluster ${props.clusterId}, but ${logDirs[0]} to cluster ${clusterId}`);
    clusterId = props.clusterId;
  }
  if (unformatted.length > 0 && !formatMissing)
    throw new StorageFormatError(
      `log dir ${unformatted.join(", ")} is not formatted; a node of a metadata quorum starts only on formatted storage: ` +
        `run npm run format-storage --workspace broker -- --cluster-id <id> --config <server.properties> (the same cluster id on every node)`,
    );
  clusterId ??= newClusterId(random);
  for (const dir of unformatted) writeMetaProperties(fs, dir, clusterId, nodeId);
  return clusterId;
}

/**
 * `kafka-storage format`: writes meta.properties with the cluster id and node
 * id into every log directory, once. A directory formatted already is left
 * as it is when it matches (`ignoreFormatted`) and refused otherwise.
 */
export function formatStorage(
  fs: FileSystem,
  logDirs: readonly string[],
  nodeId: number,
  clusterId: string,
  options: { ignoreFormatted?: boolean } = {},
): { formatted: string[]; skipped: string[] } {
  if (!isClusterId(clusterId)) throw new StorageFormatError(`cluster id ${clusterId} is not a Kafka Uuid (22 characters of URL-safe base64 for 16 bytes); make one with format-storage random-uuid`);
  const formatted: string[] = [];
  const skipped: string[] = [];
  const todo: string[] = [];
  for (const dir of logDirs) {
    const props = readMetaProperties(fs, dir);
    if (!props) {
      todo.push(dir);
      continue;
    }
    if (props.clusterId !== clusterId || props.nodeId !== String(nodeId))
      throw new StorageFormatError(`${dir} is formatted already for cluster ${props.clusterId} and node.id ${props.nodeId}; remove it first to format it for cluster ${clusterId} and node.id ${nodeId}`);
    if (!options.ignoreFormatted) throw new StorageFormatError(`${dir} is formatted already (cluster ${clusterId}, node.id ${nodeId}); pass --ignore-formatted to accept that`);
    skipped.push(dir);
  }
  for (const dir of todo) {
    writeMetaProperties(fs, dir, clusterId, nodeId);
    formatted.push(dir);
  }
  return { formatted, skipped };
}

function parseSimpleProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq > 0) props[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
  }
  return props;
}
