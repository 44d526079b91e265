import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, spawnBroker, type BrokerProcess } from "../../../broker/test/helpers/broker-process";
import { brokerCommand, formatQuorumNode, quorumNodeProperties } from "../../../broker/test/helpers/quorum-node";

export interface QuorumNode {
  id: number;
  /** The PLAINTEXT listener clients use. */
  port: number;
  controllerPort: number;
  process: BrokerProcess;
}

export interface BrokerQuorum {
  nodes: QuorumNode[];
  /** host:port of every node's PLAINTEXT listener, in node id order. */
  bootstrap: string[];
  /** Kills every node (SIGKILL) and removes their storage. */
  destroy(): Promise<void>;
}

/**
 * Starts `size` bundled broker processes as one KRaft quorum, each in combined mode
 * (process.roles=broker,controller) with a controller listener of its own, after
 * formatting each node's storage with one cluster id (as `kafka-storage format` does).
 * Election and session timeouts are shorter than Kafka's so that a leader is chosen in
 * well under a second.
 */
export async function startBrokerQuorum(size = 3): Promise<BrokerQuorum> {
  const root = mkdtempSync(path.join(os.tmpdir(), "sluice-console-quorum-"));
  const setups: Array<{ id: number; port: number; controllerPort: number; properties: string }> = [];
  for (let id = 1; id <= size; id++) setups.push({ id, port: await freePort(), controllerPort: await freePort(), properties: path.join(root, `node-${id}.properties`) });
  const voters = setups.map((node) => `${node.id}@127.0.0.1:${node.controllerPort}`).join(",");
  const generated = await brokerCommand(["format-storage", "random-uuid"]);
  assert.equal(generated.code, 0, generated.stderr);
  const clusterId = generated.stdout.trim();
  for (const node of setups) {
    const formatted = await formatQuorumNode(node.properties, quorumNodeProperties(node, voters, path.join(root, `data-${node.id}`)), clusterId);
    assert.equal(formatted.code, 0, formatted.stderr);
  }
  const started = await Promise.allSettled(setups.map((node) => spawnBroker([node.properties])));
  const processes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const destroy = async () => {
    for (const p of processes) p.child.kill("SIGKILL");
    await Promise.all(processes.map((p) => p.exited));
    rmSync(root, { recursive: true, force: true });
  };
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await destroy();
    throw (failed as PromiseRejectedResult).reason;
  }
  const nodes = setups.map((node, i) => ({ id: node.id, port: node.port, controllerPort: node.controllerPort, process: processes[i] }));
  return { nodes, bootstrap: nodes.map((node) => `127.0.0.1:${node.port}`), destroy };
}
