import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseBrokerConfig, withDynamicConfigs } from "../../src/config/broker-config";

function throwsConfig(fn: () => unknown, property: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.property, property);
    assert.match(error.message, pattern);
    return true;
  });
}

describe("config: connection limits and queued.max.request.bytes", () => {
  it("default to no connection limit (Kafka's Int.MaxValue) and 512 MiB of queued request bytes", () => {
    const config = parseBrokerConfig({});
    assert.equal(config.maxConnections, 2147483647);
    assert.equal(config.maxConnectionsPerIp, 2147483647);
    assert.equal(config.maxConnectionsPerIpOverrides.size, 0);
    assert.equal(config.listenerMaxConnections.size, 0);
    assert.equal(config.queuedMaxRequestBytes, 512 * 1024 * 1024);
  });

  it("max.connections.per.ip.overrides reads host:count pairs, split at the last colon so IPv6 addresses work", () => {
    const config = parseBrokerConfig({ "max.connections.per.ip.overrides": "Broker-A:5, 10.0.0.1:7,::1:3,[fe80::2]:0" });
    assert.deepEqual([...config.maxConnectionsPerIpOverrides], [["broker-a", 5], ["10.0.0.1", 7], ["::1", 3], ["fe80::2", 0]]);
    for (const bad of ["host", ":5", "host:many", "host:-1"])
      throwsConfig(() => parseBrokerConfig({ "max.connections.per.ip.overrides": bad }), "max.connections.per.ip.overrides", /is not host:count/);
  });

  it("max.connections.per.ip may be 0 only with overrides, as in Kafka", () => {
    throwsConfig(() => parseBrokerConfig({ "max.connections.per.ip": "0" }), "max.connections.per.ip", /only if max.connections.per.ip.overrides/);
    assert.equal(parseBrokerConfig({ "max.connections.per.ip": "0", "max.connections.per.ip.overrides": "127.0.0.1:10" }).maxConnectionsPerIp, 0);
  });

  it("queued.max.request.bytes, when set, is unbounded at 0 or less and otherwise at least socket.request.max.bytes", () => {
    assert.equal(parseBrokerConfig({ "queued.max.request.bytes": "-1" }).queuedMaxRequestBytes, -1);
    throwsConfig(
      () => parseBrokerConfig({ "queued.max.request.bytes": "1000", "socket.request.max.bytes": "2000" }),
      "queued.max.request.bytes",
      /must be larger or equal to socket.request.max.bytes/,
    );
    // Left at its default, it follows a larger socket.request.max.bytes instead of failing.
    assert.equal(parseBrokerConfig({ "socket.request.max.bytes": String(2 ** 30) }).queuedMaxRequestBytes, 2 ** 30);
  });

  it("listener.name.<listener>.max.connections names a listener that exists", () => {
    const listeners = { listeners: "PLAINTEXT://:9092,CLIENTS://:9093", "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CLIENTS:PLAINTEXT" };
    const config = parseBrokerConfig({ ...listeners, "listener.name.clients.max.connections": "10" });
    assert.deepEqual([...config.listenerMaxConnections], [["CLIENTS", 10]]);
    throwsConfig(() => parseBrokerConfig({ ...listeners, "listener.name.other.max.connections": "10" }), "listener.name.other.max.connections", /not in listeners/);
  });

  it("the connection limits change at run time, as Kafka's do; queued.max.request.bytes needs a restart", () => {
    const config = withDynamicConfigs(parseBrokerConfig({}), { "max.connections": "100", "max.connections.per.ip.overrides": "10.0.0.1:2", "listener.name.plaintext.max.connections": "50" });
    assert.equal(config.maxConnections, 100);
    assert.equal(config.maxConnectionsPerIpOverrides.get("10.0.0.1"), 2);
    assert.equal(config.listenerMaxConnections.get("PLAINTEXT"), 50);
    throwsConfig(() => withDynamicConfigs(parseBrokerConfig({}), { "queued.max.request.bytes": "-1" }), "queued.max.request.bytes", /Cannot update/);
  });
});
