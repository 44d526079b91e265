import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import {
  BROKER_CONFIG_DEFS,
  ConfigError,
  describeBrokerConfigs,
  effectiveBrokerValue,
  loadBrokerConfig,
  parseBrokerConfig,
  withDynamicConfigs,
} from "../../src/config/broker-config";
import { BROKER_PROPERTY_FIELDS } from "../../src/config/broker-properties";

function throwsConfig(fn: () => unknown, property: string | undefined, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.property, property);
    assert.match(error.message, pattern);
    return true;
  });
}

/** The effective value of a property, following its synonyms (log.retention.ms from log.retention.hours); the node reads it so. */
const setting = effectiveBrokerValue;

describe("broker config defaults", () => {
  const config = parseBrokerConfig({});

  it("are Kafka's, with node.id 1 and a combined broker/controller node", () => {
    assert.equal(config.nodeId, 1);
    assert.equal(setting(config, "process.roles"), "broker,controller");
    assert.deepEqual(config.logDirs, ["/tmp/kafka-logs"]);
    assert.equal(config.numPartitions, 1);
    assert.equal(config.defaultReplicationFactor, 1);
    assert.equal(setting(config, "min.insync.replicas"), "1");
    assert.equal(config.autoCreateTopicsEnable, true);
    assert.equal(config.deleteTopicEnable, true);
    assert.equal(setting(config, "log.retention.ms"), String(168 * 3_600_000));
    assert.equal(setting(config, "log.retention.bytes"), "-1");
    assert.equal(setting(config, "log.segment.bytes"), "1073741824");
    assert.equal(setting(config, "log.roll.ms"), String(168 * 3_600_000));
    assert.equal(setting(config, "log.index.interval.bytes"), "4096");
    assert.equal(setting(config, "log.index.size.max.bytes"), "10485760");
    assert.equal(config.logRetentionCheckIntervalMs, 300000);
    assert.equal(setting(config, "log.cleanup.policy"), "delete");
    assert.equal(setting(config, "log.message.timestamp.type"), "CreateTime");
    assert.equal(setting(config, "message.max.bytes"), "1048588");
    assert.equal(config.socketRequestMaxBytes, 104857600);
    assert.equal(config.queuedMaxRequests, 500);
    assert.equal(config.offsetsTopicNumPartitions, 50);
    assert.equal(config.offsetsTopicReplicationFactor, 3);
    assert.equal(config.offsetsRetentionMinutes, 10080);
    assert.equal(config.groupInitialRebalanceDelayMs, 3000);
    assert.equal(config.groupMinSessionTimeoutMs, 6000);
    assert.equal(config.groupMaxSessionTimeoutMs, 1800000);
    assert.equal(setting(config, "transaction.state.log.num.partitions"), "50");
    assert.equal(setting(config, "compression.type"), "producer");
    assert.equal(config.logCleanerEnable, true);
    assert.equal(setting(config, "log.cleaner.delete.retention.ms"), "86400000");
    assert.equal(setting(config, "log.cleaner.min.compaction.lag.ms"), "0");
    assert.equal(setting(config, "unclean.leader.election.enable"), "false");
    assert.equal(config.brokerRack, null);
    assert.equal(config.fetchMaxBytes, 57671680);
    assert.equal(setting(config, "replica.lag.time.max.ms"), "30000");
  });

  it("carry a typed field for each property the node reads, from the property table", () => {
    assert.ok(BROKER_PROPERTY_FIELDS.length > 0);
    const configured = parseBrokerConfig({ "broker.rack": "r1", "num.partitions": "3", "log.cleaner.enable": "false", "connections.max.idle.ms": "-1" });
    for (const [field, property] of BROKER_PROPERTY_FIELDS) {
      const text = configured.values.get(property)!.value;
      const expected = text === "9223372036854775807" ? String(Number.MAX_SAFE_INTEGER) : text;
      assert.equal(configured[field] === null ? null : String(configured[field]), expected, field);
    }
    const typed: [string | null, number, boolean, number] = [configured.brokerRack, configured.numPartitions, configured.logCleanerEnable, configured.connectionsMaxIdleMs];
    assert.deepEqual(typed, ["r1", 3, false, -1]);
  });

  it("listen on PLAINTEXT://:9092 and advertise localhost:9092", () => {
    assert.deepEqual(config.listeners, [{ name: "PLAINTEXT", host: "", port: 9092, securityProtocol: "PLAINTEXT" }]);
    assert.deepEqual(config.advertisedListeners, [{ name: "PLAINTEXT", host: "localhost", port: 9092, securityProtocol: "PLAINTEXT" }]);
    assert.equal(config.interBrokerListenerName, "PLAINTEXT");
  });

  it("represent Long.MAX_VALUE exactly in values and as Number.MAX_SAFE_INTEGER in typed fields", () => {
    assert.equal(config.values.get("log.flush.interval.messages")!.value, "9223372036854775807");
    assert.equal(config.logFlushSchedulerIntervalMs, Number.MAX_SAFE_INTEGER);
  });

  it("take log.flush.interval.ms from log.flush.scheduler.interval.ms when unset", () => {
    assert.equal(config.values.get("log.flush.interval.ms")!.value, null);
    assert.equal(setting(config, "log.flush.interval.ms"), "9223372036854775807");
    assert.equal(setting(parseBrokerConfig({ "log.flush.scheduler.interval.ms": "2000" }), "log.flush.interval.ms"), "2000");
    assert.equal(setting(parseBrokerConfig({ "log.flush.scheduler.interval.ms": "2000", "log.flush.interval.ms": "500" }), "log.flush.interval.ms"), "500");
  });

  it("are listed in values with source DEFAULT_CONFIG and their update mode (listeners cannot change at run time)", () => {
    assert.equal(config.values.size, BROKER_CONFIG_DEFS.size);
    assert.deepEqual(config.values.get("num.partitions"), { value: "1", source: "DEFAULT_CONFIG", isSensitive: false, readOnly: true });
    assert.equal(config.values.get("log.retention.hours")!.readOnly, false);
    assert.equal(config.values.get("listeners")!.readOnly, true);
    assert.equal(config.values.get("log.retention.ms")!.value, null);
  });
});

describe("broker config values", () => {
  it("are trimmed and typed, with source STATIC_BROKER_CONFIG", () => {
    const config = parseBrokerConfig({ "num.partitions": " 6 ", "auto.create.topics.enable": "FALSE", "log.cleanup.policy": "compact , delete" });
    assert.equal(config.numPartitions, 6);
    assert.equal(config.autoCreateTopicsEnable, false);
    assert.equal(setting(config, "log.cleanup.policy"), "compact,delete");
    assert.deepEqual(config.values.get("num.partitions"), { value: "6", source: "STATIC_BROKER_CONFIG", isSensitive: false, readOnly: true });
    assert.equal(config.values.get("auto.create.topics.enable")!.value, "false");
    assert.equal(config.values.get("log.cleanup.policy")!.value, "compact,delete");
  });

  it("prefer log.retention.ms over log.retention.minutes over log.retention.hours", () => {
    assert.equal(setting(parseBrokerConfig({ "log.retention.hours": "2" }), "log.retention.ms"), "7200000");
    assert.equal(setting(parseBrokerConfig({ "log.retention.hours": "2", "log.retention.minutes": "3" }), "log.retention.ms"), "180000");
    assert.equal(setting(parseBrokerConfig({ "log.retention.hours": "2", "log.retention.minutes": "3", "log.retention.ms": "5000" }), "log.retention.ms"), "5000");
  });

  it("treat any negative retention time as unlimited (-1)", () => {
    assert.equal(setting(parseBrokerConfig({ "log.retention.ms": "-1" }), "log.retention.ms"), "-1");
    assert.equal(setting(parseBrokerConfig({ "log.retention.hours": "-1" }), "log.retention.ms"), "-1");
    assert.equal(setting(parseBrokerConfig({ "log.retention.minutes": "-5" }), "log.retention.ms"), "-1");
  });

  it("prefer log.roll.ms over log.roll.hours", () => {
    assert.equal(setting(parseBrokerConfig({ "log.roll.hours": "1" }), "log.roll.ms"), "3600000");
    assert.equal(setting(parseBrokerConfig({ "log.roll.hours": "1", "log.roll.ms": "60000" }), "log.roll.ms"), "60000");
  });

  it("use log.dirs, falling back to log.dir", () => {
    assert.deepEqual(parseBrokerConfig({ "log.dir": "/var/a" }).logDirs, ["/var/a"]);
    assert.deepEqual(parseBrokerConfig({ "log.dir": "/var/a", "log.dirs": "/d1, /d2" }).logDirs, ["/d1", "/d2"]);
    throwsConfig(() => parseBrokerConfig({ "log.dirs": "" }), "log.dirs", /non-empty/);
    throwsConfig(() => parseBrokerConfig({ "log.dirs": "/a,/a" }), "log.dirs", /duplicated/);
  });

  it("accept broker.id as another name for node.id, but not a different value under each", () => {
    const config = parseBrokerConfig({ "broker.id": "4" });
    assert.equal(config.nodeId, 4);
    assert.equal(config.values.get("node.id")!.value, "4");
    assert.equal(parseBrokerConfig({ "node.id": "4", "broker.id": "4" }).nodeId, 4);
    throwsConfig(() => parseBrokerConfig({ "node.id": "4", "broker.id": "5" }), "broker.id", /must be the same/);
    throwsConfig(() => parseBrokerConfig({ "broker.id": "-1" }), "broker.id", /at least 0/);
  });
});

describe("broker config errors", () => {
  it("name an unknown property and suggest the closest known one", () => {
    throwsConfig(() => parseBrokerConfig({ "log.retention.hour": "1" }), "log.retention.hour", /Unknown broker property log\.retention\.hour \(did you mean log\.retention\.hours\?\)/);
    throwsConfig(() => parseBrokerConfig({ "num.partitons": "1" }), "num.partitons", /did you mean num\.partitions\?/);
    throwsConfig(() => parseBrokerConfig({ "completely.different": "1" }), "completely.different", /^Unknown broker property completely\.different$/);
  });

  it("point a topic config used as a broker property to its broker-wide name", () => {
    throwsConfig(() => parseBrokerConfig({ "retention.ms": "1" }), "retention.ms", /topic config; the broker-wide default is log\.retention\.ms/);
  });

  it("name the property, the value and what is expected for an invalid value", () => {
    throwsConfig(() => parseBrokerConfig({ "num.partitions": "many" }), "num.partitions", /^Invalid value many for configuration num\.partitions: Not a number of type INT$/);
    throwsConfig(() => parseBrokerConfig({ "num.partitions": "0" }), "num.partitions", /Value must be at least 1/);
    throwsConfig(() => parseBrokerConfig({ "num.partitions": "2147483648" }), "num.partitions", /Not a number of type INT/);
    throwsConfig(() => parseBrokerConfig({ "log.retention.ms": "9223372036854775808" }), "log.retention.ms", /Not a number of type LONG/);
    throwsConfig(() => parseBrokerConfig({ "delete.topic.enable": "yes" }), "delete.topic.enable", /Expected value to be either true or false/);
    throwsConfig(() => parseBrokerConfig({ "log.message.timestamp.type": "createtime" }), "log.message.timestamp.type", /String must be one of: CreateTime, LogAppendTime/);
    throwsConfig(() => parseBrokerConfig({ "compression.type": "brotli" }), "compression.type", /must be one of: uncompressed, zstd, lz4, snappy, gzip, producer/);
    throwsConfig(() => parseBrokerConfig({ "log.cleanup.policy": "delete,archive" }), "log.cleanup.policy", /archive/);
    throwsConfig(() => parseBrokerConfig({ "log.segment.bytes": "13" }), "log.segment.bytes", /at least 14/);
    throwsConfig(() => parseBrokerConfig({ "log.cleaner.min.cleanable.ratio": "1.5" }), "log.cleaner.min.cleanable.ratio", /no more than 1/);
    throwsConfig(() => parseBrokerConfig({ "process.roles": "broker,leader" }), "process.roles", /leader/);
    throwsConfig(() => parseBrokerConfig({ "controller.quorum.voters": "1@localhost" }), "controller.quorum.voters", /\{id\}@\{host\}:\{port\}/);
  });
});

describe("connections.max.idle.ms", () => {
  it("defaults to 10 minutes and is described as a read-only LONG with its source, as in Kafka", () => {
    assert.equal(parseBrokerConfig({}).connectionsMaxIdleMs, 600_000);
    const [entry] = describeBrokerConfigs(parseBrokerConfig({ "connections.max.idle.ms": " 300 " }), { includeSynonyms: true, names: ["connections.max.idle.ms"] });
    assert.deepEqual(entry, {
      name: "connections.max.idle.ms",
      value: "300",
      source: "STATIC_BROKER_CONFIG",
      isSensitive: false,
      readOnly: true,
      type: "LONG",
      documentation: null,
      synonyms: [
        { name: "connections.max.idle.ms", value: "300", source: "STATIC_BROKER_CONFIG" },
        { name: "connections.max.idle.ms", value: "600000", source: "DEFAULT_CONFIG" },
      ],
    });
    throwsConfig(() => parseBrokerConfig({}, { "connections.max.idle.ms": "1000" }), "connections.max.idle.ms", /Cannot update these configs dynamically/);
  });

  it("accepts a negative value, which Kafka's selector takes as never closing idle connections", () => {
    assert.equal(parseBrokerConfig({ "connections.max.idle.ms": "-1" }).connectionsMaxIdleMs, -1);
  });

  it("rejects what is not a LONG, naming the property", () => {
    throwsConfig(() => parseBrokerConfig({ "connections.max.idle.ms": "10m" }), "connections.max.idle.ms", /^Invalid value 10m for configuration connections\.max\.idle\.ms: Not a number of type LONG$/);
    throwsConfig(() => parseBrokerConfig({ "connections.max.idle.ms": "9223372036854775808" }), "connections.max.idle.ms", /Not a number of type LONG/);
  });

  it("has no per-listener form (Kafka reads it once for every listener)", () => {
    throwsConfig(() => parseBrokerConfig({ "listener.name.plaintext.connections.max.idle.ms": "1000" }), "listener.name.plaintext.connections.max.idle.ms", /Unknown broker property/);
  });
});

describe("listeners", () => {
  it("parse NAME://host:port entries, upper-casing names; an empty host means every interface", () => {
    const config = parseBrokerConfig({
      listeners: "plaintext://:9092, INTERNAL://10.0.0.1:9094,V6://[::1]:9095",
      "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,V6:PLAINTEXT",
    });
    assert.deepEqual(
      config.listeners.map(({ name, host, port }) => [name, host, port]),
      [
        ["PLAINTEXT", "", 9092],
        ["INTERNAL", "10.0.0.1", 9094],
        ["V6", "::1", 9095],
      ],
    );
  });

  it("advertise a loopback listener as it is (port 0 stays 0 until bound)", () => {
    const config = parseBrokerConfig({ listeners: "PLAINTEXT://127.0.0.1:0" });
    assert.deepEqual(config.advertisedListeners, [{ name: "PLAINTEXT", host: "127.0.0.1", port: 0, securityProtocol: "PLAINTEXT" }]);
  });

  it("advertise localhost for an empty or 0.0.0.0 host", () => {
    assert.equal(parseBrokerConfig({ listeners: "PLAINTEXT://0.0.0.0:9092" }).advertisedListeners[0].host, "localhost");
    assert.equal(parseBrokerConfig({ listeners: "PLAINTEXT://:9092" }).advertisedListeners[0].host, "localhost");
  });

  it("take advertised.listeners when set, which may only use listener names and no wildcard address", () => {
    const config = parseBrokerConfig({ listeners: "PLAINTEXT://:9092", "advertised.listeners": "PLAINTEXT://broker1.example:19092" });
    assert.deepEqual(config.advertisedListeners.map(({ host, port }) => [host, port]), [["broker1.example", 19092]]);
    throwsConfig(() => parseBrokerConfig({ "advertised.listeners": "OTHER://host:1", "listener.security.protocol.map": "OTHER:PLAINTEXT,PLAINTEXT:PLAINTEXT" }), "advertised.listeners", /OTHER/);
    throwsConfig(() => parseBrokerConfig({ "advertised.listeners": "PLAINTEXT://0.0.0.0:9092" }), "advertised.listeners", /nonroutable/);
  });

  it("do not advertise controller listeners, which default to PLAINTEXT", () => {
    const config = parseBrokerConfig({ listeners: "PLAINTEXT://:9092,CONTROLLER://:9093", "controller.listener.names": "CONTROLLER" });
    assert.deepEqual(config.listeners.map((listener) => listener.name), ["PLAINTEXT", "CONTROLLER"]);
    assert.deepEqual(config.advertisedListeners.map((listener) => listener.name), ["PLAINTEXT"]);
    assert.equal(config.listeners[1].securityProtocol, "PLAINTEXT");
  });

  it("reject malformed entries, repeated names or ports, and names without a security protocol", () => {
    throwsConfig(() => parseBrokerConfig({ listeners: "PLAINTEXT:9092" }), "listeners", /unable to parse PLAINTEXT:9092/);
    throwsConfig(() => parseBrokerConfig({ listeners: "PLAINTEXT://host:70000" }), "listeners", /unable to parse/);
    throwsConfig(() => parseBrokerConfig({ listeners: "PLAINTEXT://:1,PLAINTEXT://:2" }), "listeners", /different name/);
    throwsConfig(
      () => parseBrokerConfig({ listeners: "PLAINTEXT://:1,SSL://:1" }),
      "listeners",
      /different port/,
    );
    throwsConfig(() => parseBrokerConfig({ listeners: "CLIENT://:9092" }), "listeners", /No security protocol defined for listener CLIENT/);
  });

  it("require the inter-broker listener to be advertised", () => {
    const raw = { listeners: "CLIENT://:9092", "listener.security.protocol.map": "CLIENT:PLAINTEXT" };
    throwsConfig(() => parseBrokerConfig(raw), "inter.broker.listener.name", /PLAINTEXT is not; set it to one of: CLIENT/);
    assert.equal(parseBrokerConfig({ ...raw, "inter.broker.listener.name": "client" }).interBrokerListenerName, "CLIENT");
  });
});

describe("SASL listeners", () => {
  const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";';
  const SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";
  const sasl = (extra: Record<string, string> = {}) => ({
    listeners: "PLAINTEXT://:9092,SASL_PLAINTEXT://:9093",
    "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS,
    ...extra,
  });

  it("take their users from the PLAIN login module, Kafka's syntax, for every enabled mechanism", () => {
    const config = parseBrokerConfig(sasl());
    assert.deepEqual([...config.listenerSasl.keys()], ["SASL_PLAINTEXT"]);
    const listener = config.listenerSasl.get("SASL_PLAINTEXT")!;
    assert.deepEqual(listener.mechanisms, ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]);
    for (const mechanism of listener.mechanisms)
      assert.deepEqual([...listener.users.get(mechanism)!], [["alice", "alice-secret"], ["bob", "bob-secret"]]);
    assert.equal(config.saslServerMaxReceiveSize, 524288);
  });

  it("let a SCRAM login module list its own users, and a listener its own mechanisms", () => {
    const config = parseBrokerConfig(
      sasl({
        "listener.name.SASL_PLAINTEXT.sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": `${SCRAM_MODULE} required user_carol="carol-secret";`,
      }),
    );
    const listener = config.listenerSasl.get("SASL_PLAINTEXT")!;
    assert.deepEqual(listener.mechanisms, ["SCRAM-SHA-512"]);
    assert.deepEqual([...listener.users.get("SCRAM-SHA-512")!.keys()], ["carol"]);
  });

  it("refuse Kafka's default GSSAPI and other mechanisms this broker lacks, naming the supported ones", () => {
    throwsConfig(() => parseBrokerConfig({ ...sasl(), "sasl.enabled.mechanisms": "GSSAPI" }), "sasl.enabled.mechanisms", /enables GSSAPI, but this broker supports PLAIN, SCRAM-SHA-256, SCRAM-SHA-512/);
    throwsConfig(
      () => parseBrokerConfig({ ...sasl(), "listener.name.sasl_plaintext.sasl.enabled.mechanisms": "OAUTHBEARER" }),
      "listener.name.sasl_plaintext.sasl.enabled.mechanisms",
      /OAUTHBEARER/,
    );
    throwsConfig(() => parseBrokerConfig({ ...sasl(), "sasl.enabled.mechanisms": "" }), "sasl.enabled.mechanisms", /empty/);
  });

  it("need users for each enabled mechanism", () => {
    const { "listener.name.sasl_plaintext.plain.sasl.jaas.config": _, ...withoutUsers } = sasl();
    throwsConfig(() => parseBrokerConfig(withoutUsers), "listener.name.sasl_plaintext.plain.sasl.jaas.config", /enables PLAIN but no users/);
    throwsConfig(
      () => parseBrokerConfig({ ...withoutUsers, "sasl.enabled.mechanisms": "SCRAM-SHA-256" }),
      "listener.name.sasl_plaintext.plain.sasl.jaas.config",
      /enables SCRAM-SHA-256 but no users/,
    );
  });

  it("report a bad login module by property without showing it", () => {
    for (const [text, pattern] of [
      ['org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret"', /expected ';'/],
      [`${SCRAM_MODULE} required user_alice="alice-secret";`, /the login module of PLAIN is org\.apache\.kafka\.common\.security\.plain\.PlainLoginModule/],
    ] as const)
      assert.throws(
        () => parseBrokerConfig(sasl({ "listener.name.sasl_plaintext.plain.sasl.jaas.config": text })),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.property === "listener.name.sasl_plaintext.plain.sasl.jaas.config" &&
          pattern.test(error.message) &&
          !error.message.includes("alice-secret"),
      );
  });

  it("refuse listener prefixes for unknown listeners or properties, and the same property under two spellings", () => {
    throwsConfig(() => parseBrokerConfig(sasl({ "listener.name.other.plain.sasl.jaas.config": PLAIN_JAAS })), "listener.name.other.plain.sasl.jaas.config", /OTHER, which is not in listeners/);
    throwsConfig(() => parseBrokerConfig(sasl({ "listener.name.sasl_plaintext.plain.sasl.jaas.configs": "x" })), "listener.name.sasl_plaintext.plain.sasl.jaas.configs", /Unknown broker property/);
    throwsConfig(
      () => parseBrokerConfig(sasl({ "listener.name.SASL_PLAINTEXT.plain.sasl.jaas.config": PLAIN_JAAS })),
      "listener.name.SASL_PLAINTEXT.plain.sasl.jaas.config",
      /given twice/,
    );
  });

  it("refuse SSL and SASL_SSL listeners: there is no TLS", () => {
    throwsConfig(() => parseBrokerConfig({ listeners: "PLAINTEXT://:9092,SSL://:9093" }), "listeners", /SSL, which needs TLS/);
    throwsConfig(() => parseBrokerConfig({ listeners: "PLAINTEXT://:9092,SASL_SSL://:9093" }), "listeners", /SASL_SSL, which needs TLS/);
  });

  it("keep login modules out of DescribeConfigs and out of dynamic updates", () => {
    const config = parseBrokerConfig(sasl());
    const described = describeBrokerConfigs(config, { includeSynonyms: true });
    assert.ok(!described.some((entry) => entry.name.startsWith("listener.name.")));
    assert.ok(!JSON.stringify(described).includes("alice-secret"));
    assert.deepEqual(described.find((entry) => entry.name === "sasl.enabled.mechanisms")?.value, "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
    throwsConfig(() => withDynamicConfigs(config, { "listener.name.sasl_plaintext.plain.sasl.jaas.config": PLAIN_JAAS }), "listener.name.sasl_plaintext.plain.sasl.jaas.config", /Cannot update/);
  });
});

describe("dynamic broker configs", () => {
  it("override static values with source DYNAMIC_BROKER_CONFIG", () => {
    const base = parseBrokerConfig({ "log.retention.hours": "24" });
    const updated = withDynamicConfigs(base, { "log.retention.ms": "1000" });
    assert.equal(setting(updated, "log.retention.ms"), "1000");
    assert.equal(updated.values.get("log.retention.ms")!.source, "DYNAMIC_BROKER_CONFIG");
    assert.equal(updated.values.get("log.retention.hours")!.source, "STATIC_BROKER_CONFIG");
  });

  it("refuse read-only properties", () => {
    throwsConfig(() => parseBrokerConfig({}, { "num.partitions": "3" }), "num.partitions", /Cannot update these configs dynamically: num\.partitions/);
  });
});

describe("describeBrokerConfigs", () => {
  it("lists every property by name with its type, source and update mode", () => {
    const described = describeBrokerConfigs(parseBrokerConfig({ "num.partitions": "3" }), { includeSynonyms: false });
    assert.deepEqual(described.map((entry) => entry.name), [...BROKER_CONFIG_DEFS.keys()].sort());
    const numPartitions = described.find((entry) => entry.name === "num.partitions")!;
    assert.deepEqual(numPartitions, {
      name: "num.partitions",
      value: "3",
      source: "STATIC_BROKER_CONFIG",
      isSensitive: false,
      readOnly: true,
      type: "INT",
      documentation: null,
      synonyms: [],
    });
  });

  it("gives synonyms from the static value to the default, and only those asked for", () => {
    const config = parseBrokerConfig({ "log.segment.bytes": "1048576", "log.retention.hours": "24" });
    const described = describeBrokerConfigs(config, { includeSynonyms: true, names: ["log.segment.bytes", "log.retention.ms", "log.retention.hours"] });
    assert.deepEqual(
      described.map(({ name, value, source, synonyms }) => ({ name, value, source, synonyms })),
      [
        {
          name: "log.retention.hours",
          value: "24",
          source: "STATIC_BROKER_CONFIG",
          synonyms: [
            { name: "log.retention.hours", value: "24", source: "STATIC_BROKER_CONFIG" },
            { name: "log.retention.hours", value: "168", source: "DEFAULT_CONFIG" },
          ],
        },
        // As in Kafka: log.retention.ms itself is unset, so it reports no synonyms.
        { name: "log.retention.ms", value: null, source: "DEFAULT_CONFIG", synonyms: [] },
        {
          name: "log.segment.bytes",
          value: "1048576",
          source: "STATIC_BROKER_CONFIG",
          synonyms: [
            { name: "log.segment.bytes", value: "1048576", source: "STATIC_BROKER_CONFIG" },
            { name: "log.segment.bytes", value: "1073741824", source: "DEFAULT_CONFIG" },
          ],
        },
      ],
    );
  });
});

describe("loadBrokerConfig", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const target = path.join(dir, name);
    writeFileSync(target, text);
    return target;
  };

  it("reads a properties file", () => {
    const config = loadBrokerConfig([file("a.properties", "# node\nnode.id=3\nlisteners=PLAINTEXT://127.0.0.1:19092\nlog.dirs=./data/x\n")]);
    assert.equal(config.nodeId, 3);
    assert.equal(config.listeners[0].port, 19092);
    assert.deepEqual(config.logDirs, ["./data/x"]);
    assert.equal(config.values.get("node.id")!.source, "STATIC_BROKER_CONFIG");
  });

  it("lets --override win over the file, in both --override k=v and --override=k=v forms", () => {
    const config = loadBrokerConfig([
      file("b.properties", "num.partitions=2\nlog.retention.hours=1\n"),
      "--override",
      "num.partitions=5",
      "--override=broker.rack=rack=a",
    ]);
    assert.equal(config.numPartitions, 5);
    assert.equal(setting(config, "log.retention.ms"), "3600000");
    assert.equal(config.brokerRack, "rack=a");
  });

  it("runs on defaults without a file", () => {
    assert.equal(loadBrokerConfig(["--override", "num.partitions=4"]).numPartitions, 4);
    assert.equal(loadBrokerConfig([]).nodeId, 1);
  });

  it("rejects an --override without = or without an argument, unknown options and a second file", () => {
    throwsConfig(() => loadBrokerConfig(["--override", "num.partitions"]), undefined, /expects key=value, got: num\.partitions/);
    throwsConfig(() => loadBrokerConfig(["--override"]), undefined, /needs a key=value/);
    throwsConfig(() => loadBrokerConfig(["--verbose"]), undefined, /Unknown option --verbose/);
    throwsConfig(() => loadBrokerConfig(["a.properties", "b.properties"]), undefined, /Only one properties file/);
  });

  it("names the file and line of a bad property read from it", () => {
    const target = file("c.properties", "node.id=1\n\nnum.partitions=zero\n");
    throwsConfig(() => loadBrokerConfig([target]), "num.partitions", new RegExp(`c\\.properties:3: Invalid value zero for configuration num\\.partitions`));
    throwsConfig(() => loadBrokerConfig([file("d.properties", "log.retention.hour=1\n")]), "log.retention.hour", /d\.properties:1: Unknown broker property/);
  });

  it("reports a missing file or a syntax error as a ConfigError", () => {
    throwsConfig(() => loadBrokerConfig([path.join(dir, "missing.properties")]), undefined, /Cannot read properties file/);
    throwsConfig(() => loadBrokerConfig([file("e.properties", "a=\\uZZZZ\n")]), undefined, /e\.properties:1: Malformed/);
  });

  it("accepts the sample config/server.properties", () => {
    const config = loadBrokerConfig([path.join(import.meta.dirname, "../../config/server.properties")]);
    assert.deepEqual(config.advertisedListeners.map(({ host, port }) => `${host}:${port}`), ["127.0.0.1:9092"]);
    assert.deepEqual(config.logDirs, ["./data/broker-1"]);
  });

  it("accepts a Kafka-style KRaft combined-mode server.properties", () => {
    const kafkaStyle = [
      "process.roles=broker,controller",
      "node.id=1",
      "controller.quorum.voters=1@localhost:9093",
      "controller.quorum.bootstrap.servers=localhost:9093",
      "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
      "inter.broker.listener.name=PLAINTEXT",
      "advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
      "num.network.threads=3",
      "num.io.threads=8",
      "socket.send.buffer.bytes=102400",
      "socket.receive.buffer.bytes=102400",
      "socket.request.max.bytes=104857600",
      "log.dirs=/tmp/kraft-combined-logs",
      "num.partitions=1",
      "num.recovery.threads.per.data.dir=1",
      "offsets.topic.replication.factor=1",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "log.retention.hours=168",
      "log.segment.bytes=1073741824",
      "log.retention.check.interval.ms=300000",
    ].join("\n");
    const config = loadBrokerConfig([file("kafka.properties", kafkaStyle)]);
    assert.equal(setting(config, "controller.quorum.voters"), "1@localhost:9093");
    assert.deepEqual(config.advertisedListeners.map((listener) => listener.name), ["PLAINTEXT"]);
  });
});
