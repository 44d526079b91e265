import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseBrokerConfig } from "../../src/config/broker-config";
import { Broker, type BrokerDeps } from "../../src/broker";
import { createLogger, silentLogger, type Logger } from "../../src/runtime/logger";

export interface TestBroker {
  broker: Broker;
  /** host:port of the PLAINTEXT listener. */
  bootstrap: string;
  port: number;
  logDir: string;
  /** Graceful shutdown; the log dir is kept so a test can restart on it. */
  stop(): Promise<void>;
  /** Shutdown and removal of the log dir. */
  destroy(): Promise<void>;
}

/**
 * Starts a real broker node in this process on a free loopback port, with
 * its own temporary log directory. Set SLUICE_TEST_LOGS=1 to see its logs.
 * `deps` replaces seams (a logger that keeps lines, faulty handlers).
 */
export async function startTestBroker(overrides: Record<string, string> = {}, logDir?: string, deps: BrokerDeps = {}): Promise<TestBroker> {
  const dir = logDir ?? mkdtempSync(path.join(os.tmpdir(), "sluice-broker-"));
  const config = parseBrokerConfig({
    "node.id": "1",
    listeners: "PLAINTEXT://127.0.0.1:0",
    "log.dirs": dir,
    ...overrides,
  });
  const logger = deps.logger ?? (process.env.SLUICE_TEST_LOGS ? createLogger({ level: "debug" }) : silentLogger);
  const broker = await Broker.start(config, { ...deps, logger });
  const port = broker.boundPort();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await broker.shutdown();
  };
  return {
    broker,
    port,
    bootstrap: `127.0.0.1:${port}`,
    logDir: dir,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let topicCounter = 0;
/** A topic name unique to this process, so tests never share state. */
export function uniqueTopic(prefix = "t"): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++topicCounter}`;
}

/** A logger that keeps every line (parsed), echoing them when SLUICE_TEST_LOGS is set. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const logger = createLogger({
    level: "debug",
    write: (line) => {
      lines.push(JSON.parse(line));
      if (process.env.SLUICE_TEST_LOGS) process.stdout.write(line + "\n");
    },
  });
  return { logger, lines };
}
