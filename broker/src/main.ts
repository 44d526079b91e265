import { loadBrokerConfig, ConfigError } from "./config/broker-config";
import { Broker } from "./broker";
import { runFormatStorage } from "./format-storage";
import { StorageFormatError } from "./metadata/meta-properties";
import { nodeFileSystem } from "./runtime/fs";
import { createLogger } from "./runtime/logger";
import { secureRandomBytes } from "./runtime/random";

/**
 * `npm run broker -- [server.properties] [--override key=value ...]`
 * Starts one node and stops it gracefully on SIGTERM or SIGINT. Exit codes:
 * 2 for a configuration that cannot run, 3 for storage that does not match it.
 *
 * `npm run format-storage -- --cluster-id <id> --config <file>` formats the
 * node's log directories instead (src/format-storage.ts).
 */
async function main(): Promise<void> {
  // npm runs workspace scripts in broker/; paths given on the command line and
  // in the properties file mean what they meant where the user typed them.
  if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  if (process.argv[2] === "format-storage") {
    process.exitCode = runFormatStorage(process.argv.slice(3), {
      fs: nodeFileSystem,
      random: secureRandomBytes,
      print: (line) => console.log(line),
      fail: (line) => console.error(line),
    });
    return;
  }
  const logger = createLogger();
  let config;
  try {
    config = loadBrokerConfig(process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error("invalid configuration; not starting", { error: error.message });
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  // Signals are handled from before the node starts: one that arrives while it
  // loads its logs waits for the start to finish, then shuts it down cleanly.
  const starting = Broker.start(config, { logger: logger.child({ node: config.nodeId }) });
  let signals = 0;
  const stop = (signal: string) => {
    if (++signals > 1) {
      logger.warn("second signal; exiting at once", { signal });
      process.exit(1);
    }
    logger.info("signal received", { signal });
    starting
      .then((broker) => broker.shutdown())
      .then(
        () => process.exit(0),
        (error) => {
          logger.error("shutdown failed", { error });
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  try {
    await starting;
  } catch (error) {
    if (error instanceof StorageFormatError) {
      logger.error("storage does not match the configuration; not starting", { error: error.message });
      process.exit(3);
    }
    throw error;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
