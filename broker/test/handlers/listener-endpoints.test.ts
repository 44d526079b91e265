import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { startTestBroker, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";

const metadataRequest = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

describe("several listeners: a client is told the addresses of the listener it connected to", () => {
  let node: TestBroker;
  before(async () => {
    node = await startTestBroker({
      listeners: "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
      "advertised.listeners": "INTERNAL://internal.example:19092,EXTERNAL://127.0.0.1:0",
      "listener.security.protocol.map": "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
      "inter.broker.listener.name": "INTERNAL",
    });
  });
  after(async () => node?.destroy());

  const addresses = async (listener: string) => {
    const client = await RawClient.connect(node.broker.boundPort(listener));
    try {
      const metadata = await client.request(ApiKey.Metadata, 12, metadataRequest);
      const cluster = await client.request(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: false, endpointType: 1 });
      const coordinator = await client.request(ApiKey.FindCoordinator, 4, { key: "", keyType: 0, coordinatorKeys: ["g"] });
      assert.equal(coordinator.coordinators[0].errorCode, ErrorCode.NONE);
      return {
        metadata: metadata.brokers.map((b: { host: string; port: number }) => `${b.host}:${b.port}`),
        cluster: cluster.brokers.map((b: { host: string; port: number }) => `${b.host}:${b.port}`),
        coordinator: `${coordinator.coordinators[0].host}:${coordinator.coordinators[0].port}`,
      };
    } finally {
      client.close();
    }
  };

  it("Metadata, DescribeCluster and FindCoordinator on each listener", async () => {
    const internal = "internal.example:19092";
    assert.deepEqual(await addresses("INTERNAL"), { metadata: [internal], cluster: [internal], coordinator: internal });
    const external = `127.0.0.1:${node.broker.boundPort("EXTERNAL")}`;
    assert.deepEqual(await addresses("EXTERNAL"), { metadata: [external], cluster: [external], coordinator: external });
  });
});
