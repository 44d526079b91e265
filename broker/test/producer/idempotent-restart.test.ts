import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { encodeRecordBatch } from "../../src/protocol/records/record-batch";
import { uniqueTopic } from "../helpers/broker";
import { freePort, spawnBroker, type BrokerProcess } from "../helpers/broker-process";
import { RawClient } from "../helpers/raw-client";

async function produce(client: RawClient, topic: string, producerId: bigint, sequence: number) {
  const records = encodeRecordBatch({
    now: Date.now(),
    producerId: Number(producerId),
    producerEpoch: 0,
    baseSequence: sequence,
    records: [0, 1].map((i) => ({ key: `k${sequence + i}`, value: `value-${sequence + i}`.padEnd(300, ".") })),
  });
  const response = await client.request(ApiKey.Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  const partition = response.responses[0].partitionResponses[0];
  return { errorCode: partition.errorCode as number, baseOffset: Number(partition.baseOffset) };
}

async function startAndConnect(args: string[], port: number): Promise<{ broker: BrokerProcess; client: RawClient }> {
  const broker = await spawnBroker(args);
  return { broker, client: await RawClient.connect(port) };
}

describe("idempotent producer state across broker restarts", () => {
  for (const stop of ["SIGTERM", "SIGKILL"] as const) {
    it(`deduplication survives ${stop === "SIGKILL" ? "kill -9" : "a graceful stop"} of the broker process`, { timeout: 90_000 }, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-idem-restart-"));
      const port = await freePort();
      const args = [
        "--override", `listeners=PLAINTEXT://127.0.0.1:${port}`,
        "--override", `log.dirs=${dir}`,
        "--override", "log.segment.bytes=16384",
      ];
      const topic = uniqueTopic("idem-restart");
      let { broker, client } = await startAndConnect(args, port);
      try {
        await client.request(ApiKey.CreateTopics, 4, {
          topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
          timeoutMs: 5000,
          validateOnly: false,
        });
        const init = await client.request(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 });
        const producerId: bigint = init.producerId;
        const offsets: number[] = [];
        // Enough batches to roll segments (snapshots) and leave a tail after the last one.
        for (let sequence = 0; sequence < 200; sequence += 2) {
          const result = await produce(client, topic, producerId, sequence);
          assert.equal(result.errorCode, ErrorCode.NONE);
          offsets.push(result.baseOffset);
        }
        client.close();
        broker.child.kill(stop);
        await broker.exited;
        const files = readdirSync(path.join(dir, `${topic}-0`));
        assert.ok(files.some((name) => name.endsWith(".snapshot")), `snapshots: ${files.join(" ")}`);

        ({ broker, client } = await startAndConnect(args, port));
        // The last batches are retried as a client that never saw their responses would: same offsets, nothing written.
        for (const sequence of [192, 194, 196, 198]) {
          assert.deepEqual(await produce(client, topic, producerId, sequence), { errorCode: ErrorCode.NONE, baseOffset: offsets[sequence / 2] });
        }
        assert.equal((await produce(client, topic, producerId, 204)).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assert.deepEqual(await produce(client, topic, producerId, 200), { errorCode: ErrorCode.NONE, baseOffset: 200 });
        const listed = await client.request(ApiKey.ListOffsets, 1, {
          replicaId: -1,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n, currentLeaderEpoch: -1, maxNumOffsets: 1 }] }],
        });
        assert.equal(listed.topics[0].partitions[0].offset, 202n);
      } finally {
        client.close();
        broker.child.kill("SIGKILL");
        await broker.exited;
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
