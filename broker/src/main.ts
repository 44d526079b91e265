import { loadBrokerConfig, ConfigError } from "./config/broker-config";
import { Broker } from "./broker";
import { createLogger } from "./runtime/logger";

/**
 * `npm run broker -- [server.properties] [--override key=value ...]`
 * Starts one node and stops it gracefully on SIGTERM or SIGINT.
 */
async function main(): Promise<void> {
  const logger = createLogger();
  // npm runs workspace scripts in broker/; paths given on the command line and
  // in the properties file mean what they meant where the user typed them.
  if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
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
  await starting;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
