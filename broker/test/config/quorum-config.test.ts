import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseBrokerConfig } from "../../src/config/broker-config";

function throwsConfig(fn: () => unknown, property: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.property, property);
    assert.match(error.message, pattern);
    return true;
  });
}

const VOTERS = "1@127.0.0.1:9093,2@127.0.0.1:9095,3@[::1]:9097";
const combined = (overrides: Record<string, string> = {}) => ({
  "node.id": "1",
  "process.roles": "broker,controller",
  listeners: "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
  "controller.listener.names": "CONTROLLER",
  "controller.quorum.voters": VOTERS,
  ...overrides,
});

describe("quorum config", () => {
  it("is absent for the default node: combined roles and no voters make a cluster of one", () => {
    const config = parseBrokerConfig({});
    assert.deepEqual(config.processRoles, ["broker", "controller"]);
    assert.equal(config.quorum, null);
  });

  it("parses the voters, the bootstrap servers and the controller listeners of a combined node", () => {
    const config = parseBrokerConfig(combined({ "controller.quorum.bootstrap.servers": "127.0.0.1:9093,[::1]:9097" }));
    assert.deepEqual(config.quorum?.voters, [
      { id: 1, host: "127.0.0.1", port: 9093 },
      { id: 2, host: "127.0.0.1", port: 9095 },
      { id: 3, host: "::1", port: 9097 },
    ]);
    assert.deepEqual(config.quorum?.bootstrapServers, [
      { host: "127.0.0.1", port: 9093 },
      { host: "::1", port: 9097 },
    ]);
    assert.deepEqual(config.quorum?.controllerListenerNames, ["CONTROLLER"]);
    assert.equal(config.quorum?.isVoter, true);
    // Clients are never told of the controller listener.
    assert.deepEqual(config.advertisedListeners.map((listener) => listener.name), ["PLAINTEXT"]);
  });

  it("takes a broker-only node as an observer that is not a voter and binds no controller listener", () => {
    const config = parseBrokerConfig({ "node.id": "4", "process.roles": "broker", listeners: "PLAINTEXT://127.0.0.1:9099", "controller.listener.names": "CONTROLLER", "controller.quorum.voters": VOTERS });
    assert.equal(config.quorum?.isVoter, false);
    throwsConfig(
      () => parseBrokerConfig({ "node.id": "1", "process.roles": "broker", listeners: "PLAINTEXT://127.0.0.1:9099", "controller.listener.names": "CONTROLLER", "controller.quorum.voters": VOTERS }),
      "controller.quorum.voters",
      /node.id 1 must not be one of the voters/,
    );
    throwsConfig(
      () => parseBrokerConfig({ "node.id": "4", "process.roles": "broker", listeners: "PLAINTEXT://127.0.0.1:9099,CONTROLLER://127.0.0.1:9100", "controller.listener.names": "CONTROLLER", "controller.quorum.voters": VOTERS }),
      "controller.listener.names",
      /must not contain a value appearing in listeners/,
    );
  });

  it("takes a controller-only node with only controller listeners", () => {
    const config = parseBrokerConfig({ "node.id": "2", "process.roles": "controller", listeners: "CONTROLLER://127.0.0.1:9095", "controller.listener.names": "CONTROLLER", "controller.quorum.voters": VOTERS });
    assert.equal(config.quorum?.isVoter, true);
    throwsConfig(
      () => parseBrokerConfig({ "node.id": "2", "process.roles": "controller", listeners: "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9095", "controller.listener.names": "CONTROLLER", "controller.quorum.voters": VOTERS }),
      "listeners",
      /must only contain the controller listeners/,
    );
  });

  it("refuses settings that could never form a quorum, naming the property", () => {
    throwsConfig(() => parseBrokerConfig(combined({ "node.id": "7" })), "controller.quorum.voters", /node.id 7 must be one of the voters/);
    throwsConfig(() => parseBrokerConfig(combined({ "controller.listener.names": "OTHER", "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,OTHER:PLAINTEXT" })), "controller.listener.names", /OTHER is not in listeners/);
    throwsConfig(() => parseBrokerConfig({ ...combined(), "controller.listener.names": "", "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT" }), "controller.listener.names", /at least one listener/);
    throwsConfig(() => parseBrokerConfig(combined({ "controller.quorum.voters": "1@h:9093,1@h:9094" })), "controller.quorum.voters", /voter 1 is given twice/);
    throwsConfig(() => parseBrokerConfig(combined({ "controller.quorum.voters": "1@h" })), "controller.quorum.voters", /\{id\}@\{host\}:\{port\}/);
    throwsConfig(() => parseBrokerConfig(combined({ "controller.quorum.voters": "1@h:0" })), "controller.quorum.voters", /is not a port/);
    throwsConfig(() => parseBrokerConfig({ "controller.quorum.bootstrap.servers": "h" }), "controller.quorum.bootstrap.servers", /\{host\}:\{port\}/);
    throwsConfig(() => parseBrokerConfig({ "controller.quorum.bootstrap.servers": "127.0.0.1:9093" }), "controller.quorum.voters", /static quorum only/);
    throwsConfig(() => parseBrokerConfig({ "process.roles": "broker" }), "controller.quorum.voters", /needs a metadata quorum/);
    throwsConfig(() => parseBrokerConfig({ "process.roles": "controller" }), "controller.quorum.voters", /needs a metadata quorum/);
  });

  it("reads the quorum's timeouts under Kafka's names", () => {
    const config = parseBrokerConfig(combined({ "controller.quorum.election.timeout.ms": "300", "controller.quorum.fetch.timeout.ms": "600", "controller.quorum.request.timeout.ms": "400" }));
    assert.deepEqual([config.quorumElectionTimeoutMs, config.quorumFetchTimeoutMs, config.quorumRequestTimeoutMs], [300, 600, 400]);
    assert.deepEqual([parseBrokerConfig({}).quorumElectionTimeoutMs, parseBrokerConfig({}).quorumFetchTimeoutMs], [1000, 2000]);
  });
});
