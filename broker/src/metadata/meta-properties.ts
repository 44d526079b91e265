import path from "node:path";
import { writeFileAtomicSync, type FileSystem } from "../runtime/fs";
import type { RandomBytes } from "../runtime/random";

/**
 * Each log directory carries `meta.properties` naming the cluster and node it
 * belongs to, as Kafka's `kafka-storage format` writes it. A directory is
 * formatted on first start; a directory of another node or cluster is refused.
 */
export function ensureMetaProperties(fs: FileSystem, logDirs: readonly string[], nodeId: number, random: RandomBytes): string {
  let clusterId: string | null = null;
  const unformatted: string[] = [];
  for (const dir of logDirs) {
    const file = path.join(dir, "meta.properties");
    if (!fs.existsSync(file)) {
      unformatted.push(dir);
      continue;
    }
    const props = parseSimpleProperties(fs.readFileSync(file).toString("utf8"));
    if (props["node.id"] !== String(nodeId))
      throw new Error(`${file} belongs to node.id ${props["node.id"]}, but this node is node.id ${nodeId}`);
    if (clusterId !== null && props["cluster.id"] !== clusterId)
      throw new Error(`${file} belongs to cluster ${props["cluster.id"]}, but ${logDirs[0]} to cluster ${clusterId}`);
    clusterId = props["cluster.id"] ?? null;
  }
  clusterId ??= newClusterId(random);
  for (const dir of unformatted) {
    fs.mkdirSync(dir, { recursive: true });
    // Atomic and fsynced: a crash must leave either no file (formatted again) or the whole of it, never an empty one.
    writeFileAtomicSync(fs, path.join(dir, "meta.properties"), `version=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
  }
  return clusterId;
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. */
function newClusterId(random: RandomBytes): string {
  return random(16).toString("base64url");
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
