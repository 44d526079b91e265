import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { ConfigError, parseBrokerConfig, parseMetricsListener } from "../../src/config/broker-config";
import { startTestBroker } from "../helpers/broker";
import { freePort } from "../helpers/broker-process";

describe("metrics.listener", () => {
  it("takes host:port, with http:// or not, an empty host for every interface and bracketed IPv6", () => {
    assert.deepEqual(parseMetricsListener("127.0.0.1:9404"), { host: "127.0.0.1", port: 9404 });
    assert.deepEqual(parseMetricsListener("http://localhost:0/"), { host: "localhost", port: 0 });
    assert.deepEqual(parseMetricsListener(":9404"), { host: undefined, port: 9404 });
    assert.deepEqual(parseMetricsListener("[::1]:9404"), { host: "::1", port: 9404 });
    for (const bad of ["9404", "127.0.0.1", "127.0.0.1:70000", "https://127.0.0.1:9404", "127.0.0.1:9404/metrics", "a b:1"])
      assert.ok("error" in parseMetricsListener(bad), bad);
  });

  it("is unset by default, and a value that is not host:port stops the node with an error naming the property", () => {
    const base = { listeners: "PLAINTEXT://127.0.0.1:0", "log.dirs": "/tmp/unused" };
    assert.equal(parseBrokerConfig(base).metricsListener, null);
    assert.throws(
      () => parseBrokerConfig({ ...base, "metrics.listener": "9404" }),
      (error: unknown) => error instanceof ConfigError && error.property === "metrics.listener" && /host:port/.test(error.message),
    );
  });

  it("a port already taken fails the start, and the node's Kafka listener is closed again", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as net.AddressInfo;
    const kafkaPort = await freePort();
    try {
      await assert.rejects(startTestBroker({ listeners: `PLAINTEXT://127.0.0.1:${kafkaPort}`, "metrics.listener": `127.0.0.1:${port}` }), /EADDRINUSE/);
      // The Kafka port is free again: the failed node let it go.
      const again = net.createServer();
      await new Promise<void>((resolve, reject) => again.once("error", reject).listen(kafkaPort, "127.0.0.1", resolve));
      await new Promise<void>((resolve) => again.close(() => resolve()));
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
