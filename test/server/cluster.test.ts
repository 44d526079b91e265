import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestBroker, type TestBroker } from "../../broker/test/helpers/broker";
import { ALL_HANDLERS } from "../../broker/src/handlers";
import { supportedApiVersions } from "../../broker/src/handlers/18-api-versions";
import { ClusterClients, useCluster } from "@/server/kafka/registry";
import { describeCluster } from "@/server/services/describe-cluster";

describe("the overview's protocol figures against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-cluster-test", ssl: undefined, sasl: undefined });
  });
  after(async () => {
    await clients?.reset();
    await node?.destroy();
  });

  it("describeCluster: the controller's ApiVersions, every API named with its version range, and its feature flags", async () => {
    // null: no lag history, so the test opens no store under the working directory.
    const { protocol, controllerId } = await describeCluster(undefined, null);
    assert.ok(protocol, "the broker answered ApiVersions");
    assert.equal(protocol.nodeId, controllerId);
    // What the broker computes from its handler registry is what the overview shows.
    const served = supportedApiVersions(new Map(ALL_HANDLERS.map((h) => [h.apiKey, h])));
    assert.deepEqual(
      protocol.apis.map((a) => [a.apiKey, a.minVersion, a.maxVersion]),
      served.map((a) => [a.apiKey, a.minVersion, a.maxVersion]),
    );
    assert.deepEqual(
      protocol.apis.filter((a) => [0, 1, 18].includes(a.apiKey)).map((a) => a.name),
      ["Produce", "Fetch", "ApiVersions"],
    );
    // The bundled broker has no feature flags yet; Apache Kafka 3.x reports metadata.version and more here.
    assert.deepEqual([protocol.supportedFeatures, protocol.finalizedFeatures], [[], []]);
  });

  it("describeCluster: a broker that cannot be asked leaves the protocol unknown instead of failing the overview", async () => {
    const overview = await describeCluster(
      new (class extends ClusterClients {
        override wire(): never {
          throw new Error("no raw connection in this test");
        }
      })(clients.config),
      null,
    );
    assert.equal(overview.protocol, null);
    assert.equal(overview.brokers.length, 1);
  });
});
