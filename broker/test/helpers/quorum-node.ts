import { writeFileSync } from "node:fs";
import path from "node:path";
import { run } from "./processes";

const BROKER_MAIN = path.resolve(import.meta.dirname, "../../src/main.ts");

/** Runs the broker's command line (format-storage and the like) with tsx. */
export const brokerCommand = (args: string[]) => run(process.execPath, ["--import", "tsx", BROKER_MAIN, ...args]);

/**
 * The properties of a combined-mode node (process.roles=broker,controller) of a test quorum on 127.0.0.1, with
 * election, fetch and session timeouts far shorter than Kafka's so that a leader is chosen, and a failover done,
 * in seconds. `extra` lines are appended.
 */
export function quorumNodeProperties(node: { id: number; port: number; controllerPort: number }, voters: string, logDir: string, extra: string[] = []): string {
  return [
    `node.id=${node.id}`,
    "process.roles=broker,controller",
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    "controller.listener.names=CONTROLLER",
    `controller.quorum.voters=${voters}`,
    `log.dirs=${logDir}`,
    "controller.quorum.election.timeout.ms=500",
    "controller.quorum.fetch.timeout.ms=1000",
    "controller.quorum.request.timeout.ms=500",
    "broker.heartbeat.interval.ms=300",
    "broker.session.timeout.ms=3000",
    ...extra,
  ].join("\n");
}

/** Writes a node's properties file and formats its storage for `clusterId`, as kafka-storage format does. */
export async function formatQuorumNode(propertiesFile: string, properties: string, clusterId: string): Promise<{ code: number | null; stderr: string }> {
  writeFileSync(propertiesFile, properties);
  return brokerCommand(["format-storage", "--cluster-id", clusterId, "--config", propertiesFile]);
}
