import { ConfigError, loadBrokerConfig } from "./config/broker-config";
import { formatStorage, newClusterId, StorageFormatError } from "./metadata/meta-properties";
import type { FileSystem } from "./runtime/fs";
import type { RandomBytes } from "./runtime/random";

const USAGE =
  "usage: format-storage --cluster-id <id> --config <server.properties> [--override key=value ...] [--ignore-formatted]\n" +
  "       format-storage random-uuid";

/**
 * Sluice's `kafka-storage format`: writes meta.properties (cluster.id and
 * node.id) into each log directory of the node the config describes, so
 * that every node of a quorum starts with the one cluster id. `random-uuid`
 * prints a new cluster id. Returns the exit code; prints what it did.
 */
export function runFormatStorage(argv: readonly string[], deps: { fs: FileSystem; random: RandomBytes; print(line: string): void; fail(line: string): void }): number {
  if (argv[0] === "random-uuid") {
    deps.print(newClusterId(deps.random));
    return 0;
  }
  let clusterId: string | null = null;
  let configFile: string | null = null;
  let ignoreFormatted = false;
  const configArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--cluster-id" || arg === "-t") clusterId = argv[++i] ?? null;
    else if (arg === "--config" || arg === "-c") configFile = argv[++i] ?? null;
    else if (arg === "--ignore-formatted" || arg === "-g") ignoreFormatted = true;
    else if (arg === "--override") configArgs.push(arg, argv[++i] ?? "");
    else {
      deps.fail(`unknown argument ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (clusterId === null) {
    deps.fail(`--cluster-id is required (every node of a cluster is formatted with the same one; a new one: ${newClusterId(deps.random)})\n${USAGE}`);
    return 2;
  }
  try {
    const config = loadBrokerConfig(configFile === null ? configArgs : [configFile, ...configArgs]);
    const { formatted, skipped } = formatStorage(deps.fs, config.logDirs, config.nodeId, clusterId, { ignoreFormatted });
    for (const dir of formatted) deps.print(`Formatted ${dir} for cluster ${clusterId}, node.id ${config.nodeId}`);
    for (const dir of skipped) deps.print(`${dir} was formatted already for cluster ${clusterId}, node.id ${config.nodeId}`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StorageFormatError) {
      deps.fail(error.message);
      return error instanceof ConfigError ? 2 : 3;
    }
    throw error;
  }
}
