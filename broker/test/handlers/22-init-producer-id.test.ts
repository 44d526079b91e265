import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { startTestBroker, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

const init = (client: RawClient, version: number, body: Partial<{ transactionalId: string | null; producerId: bigint; producerEpoch: number }> = {}) =>
  client.request(ApiKey.InitProducerId, version, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1, ...body });

describe("InitProducerId", () => {
  const nodes: TestBroker[] = [];
  after(async () => {
    for (const node of nodes) await node.destroy();
  });

  it("is advertised for versions 0-5, while the transactional APIs are not", async () => {
    const node = await startTestBroker();
    nodes.push(node);
    const client = await RawClient.connect(node.port);
    const versions = await client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "t", clientSoftwareVersion: "1" });
    const keys = new Map(versions.apiKeys.map((key: { apiKey: number; minVersion: number; maxVersion: number }) => [key.apiKey, key]));
    assert.deepEqual(keys.get(ApiKey.InitProducerId), { apiKey: ApiKey.InitProducerId, minVersion: 0, maxVersion: 5 });
    for (const key of [ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.EndTxn, ApiKey.TxnOffsetCommit]) assert.equal(keys.has(key), false);
    client.close();
  });

  it("hands out new ids that stay unique across a restart", async () => {
    const first = await startTestBroker();
    const client = await RawClient.connect(first.port);
    const a = await init(client, 0);
    const b = await init(client, 4);
    assert.equal(a.errorCode, ErrorCode.NONE);
    assert.equal(a.producerEpoch, 0);
    assert.notEqual(a.producerId, b.producerId);
    client.close();
    await first.stop();
    const second = await startTestBroker({}, first.logDir);
    nodes.push(second);
    const again = await RawClient.connect(second.port);
    const c = await init(again, 2);
    assert.ok(c.producerId > a.producerId && c.producerId > b.producerId, `${c.producerId} after ${a.producerId}, ${b.producerId}`);
    again.close();
  });

  it("bumps the epoch of a producer that passes its current id and epoch, and fences an older epoch (KIP-360)", async () => {
    const node = await startTestBroker();
    nodes.push(node);
    const client = await RawClient.connect(node.port);
    const fresh = await init(client, 4);
    const bumped = await init(client, 4, { producerId: fresh.producerId, producerEpoch: 0 });
    assert.deepEqual([bumped.errorCode, bumped.producerId, bumped.producerEpoch], [ErrorCode.NONE, fresh.producerId, 1]);
    const stale4 = await init(client, 4, { producerId: fresh.producerId, producerEpoch: 0 });
    assert.equal(stale4.errorCode, ErrorCode.PRODUCER_FENCED);
    const stale3 = await init(client, 3, { producerId: fresh.producerId, producerEpoch: 0 });
    assert.equal(stale3.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    const unknown = await init(client, 3, { producerId: 10n ** 12n, producerEpoch: 5 });
    assert.equal(unknown.errorCode, ErrorCode.NONE);
    assert.equal(unknown.producerEpoch, 0, "an id this cluster never issued gets a new one");
    const half = await init(client, 3, { producerId: fresh.producerId, producerEpoch: -1 });
    assert.equal(half.errorCode, ErrorCode.INVALID_REQUEST);
    client.close();
  });

  it("refuses a transactional id: transactions are not supported yet", async () => {
    const node = await startTestBroker();
    nodes.push(node);
    const client = await RawClient.connect(node.port);
    const response = await init(client, 4, { transactionalId: "tx-1" });
    assert.deepEqual([response.errorCode, response.producerId], [ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1n]);
    client.close();
  });
});
