import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { BROKER_CONFIG_DEFS, ConfigError, describeBrokerConfigs, parseBrokerConfig, parseTyped, unusedBrokerProperties } from "../../src/config/broker-config";
import { UNUSED_BROKER_CONFIGS, UNUSED_TOPIC_CONFIGS } from "../../src/config/kafka-config-names";
import { describeTopicConfigs, TOPIC_CONFIG_DEFS, validateTopicConfigs } from "../../src/config/topic-config";
import { spawnBroker } from "../helpers/broker-process";

const throwsConfig = (fn: () => unknown, property: string, message: RegExp) =>
  assert.throws(fn, (error: unknown) => error instanceof ConfigError && error.property === property && message.test(error.message));

describe("Kafka's config names", () => {
  it("the table names each property once, with a default of its type", () => {
    const names = UNUSED_BROKER_CONFIGS.map(([name]) => name);
    assert.equal(new Set(names).size, names.length);
    for (const [name, type, dflt] of UNUSED_BROKER_CONFIGS) if (dflt !== null) assert.ok(parseTyped(type, dflt).ok, `${name}=${dflt}`);
    for (const [name, type, dflt] of UNUSED_TOPIC_CONFIGS) if (dflt !== undefined) assert.ok(parseTyped(type, dflt).ok, `${name}=${dflt}`);
  });

  it("Sluice's own rows win over the table, and only the others are marked unused", () => {
    assert.equal(BROKER_CONFIG_DEFS.get("message.max.bytes")?.unused, undefined);
    assert.equal(BROKER_CONFIG_DEFS.get("sasl.kerberos.min.time.before.relogin")?.unused, true);
    assert.equal(TOPIC_CONFIG_DEFS.get("retention.ms")?.unused, undefined);
    assert.equal(TOPIC_CONFIG_DEFS.get("remote.storage.enable")?.unused, true);
    // Properties from every corner of Kafka's broker config are known.
    for (const name of ["sasl.kerberos.min.time.before.relogin", "ssl.keystore.type", "remote.log.storage.system.enable", "group.share.max.size", "controller.quorum.fetch.timeout.ms", "authorizer.class.name", "log.cleaner.threads", "quota.window.num"])
      assert.ok(BROKER_CONFIG_DEFS.has(name), name);
  });

  it("a static Kafka property Sluice does not act on is accepted, typed and described as set", () => {
    const config = parseBrokerConfig({ "sasl.kerberos.min.time.before.relogin": "30000", "ssl.keystore.type": "PKCS12", "num.partitions": "2" });
    assert.deepEqual(unusedBrokerProperties(config), ["sasl.kerberos.min.time.before.relogin", "ssl.keystore.type"]);
    const [relogin] = describeBrokerConfigs(config, { includeSynonyms: false, names: ["sasl.kerberos.min.time.before.relogin"] });
    assert.deepEqual([relogin.value, relogin.source, relogin.type, relogin.readOnly], ["30000", "STATIC_BROKER_CONFIG", "LONG", false]);
    throwsConfig(() => parseBrokerConfig({ "sasl.kerberos.min.time.before.relogin": "soon" }), "sasl.kerberos.min.time.before.relogin", /Not a number of type LONG/);
  });

  it("Kafka's per-listener and per-mechanism settings of a listener are accepted too, and unused", () => {
    const config = parseBrokerConfig({
      listeners: "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
      "sasl.enabled.mechanisms": "PLAIN",
      "listener.name.sasl_plaintext.plain.sasl.jaas.config": 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="secret";',
      "listener.name.sasl_plaintext.plain.sasl.server.callback.handler.class": "com.example.Handler",
      "listener.name.sasl_plaintext.connections.max.reauth.ms": "60000",
    });
    assert.deepEqual(unusedBrokerProperties(config), [
      "listener.name.sasl_plaintext.connections.max.reauth.ms",
      "listener.name.sasl_plaintext.plain.sasl.server.callback.handler.class",
    ]);
    throwsConfig(() => parseBrokerConfig({ "listener.name.plaintext.no.such.setting": "1" }), "listener.name.plaintext.no.such.setting", /Unknown broker property/);
  });

  it("DescribeConfigs lists them with Kafka's defaults and update modes", () => {
    const described = new Map(describeBrokerConfigs(parseBrokerConfig({}), { includeSynonyms: false }).map((entry) => [entry.name, entry]));
    const expected: Array<[string, string | null, boolean]> = [
      ["sasl.kerberos.min.time.before.relogin", "60000", false],
      ["ssl.keystore.type", "JKS", false],
      ["log.cleaner.threads", "1", false],
      ["remote.log.storage.system.enable", "false", true],
      ["broker.heartbeat.interval.ms", "2000", true],
      ["ssl.keystore.password", null, false],
    ];
    for (const [name, value, readOnly] of expected) {
      const entry = described.get(name)!;
      assert.deepEqual([entry.value, entry.source, entry.readOnly], [value, "DEFAULT_CONFIG", readOnly], name);
    }
    assert.equal(described.get("ssl.keystore.password")!.isSensitive, true);
    // Doubles read as Java writes them.
    assert.equal(described.get("log.cleaner.io.max.bytes.per.second")!.value, "1.7976931348623157E308");
    assert.equal(described.get("sasl.kerberos.ticket.renew.window.factor")!.value, "0.8");
    const topic = new Map(describeTopicConfigs({}, parseBrokerConfig({}), { includeSynonyms: true }).map((entry) => [entry.name, entry]));
    assert.deepEqual([topic.get("remote.storage.enable")!.value, topic.get("remote.storage.enable")!.source], ["false", "DEFAULT_CONFIG"]);
    assert.deepEqual(topic.get("compression.gzip.level")!.synonyms, [{ name: "compression.gzip.level", value: "-1", source: "DEFAULT_CONFIG" }]);
  });

  it("dynamic alteration takes the dynamic ones and refuses the read-only ones", () => {
    const config = parseBrokerConfig({}, { "sasl.kerberos.min.time.before.relogin": "45000", "log.cleaner.threads": "2" });
    assert.equal(config.values.get("log.cleaner.threads")!.source, "DYNAMIC_BROKER_CONFIG");
    throwsConfig(() => parseBrokerConfig({}, { "broker.heartbeat.interval.ms": "1000" }), "broker.heartbeat.interval.ms", /Cannot update these configs dynamically/);
  });

  it("topic configs Kafka defines are accepted; names Kafka does not know stay errors", () => {
    assert.equal(validateTopicConfigs({ "remote.storage.enable": "false", "compression.zstd.level": "9" }).ok, true);
    assert.deepEqual(validateTopicConfigs({ "remote.storage.enabled": "true" }), { ok: false, name: "remote.storage.enabled", message: "Unknown topic config name: remote.storage.enabled" });
    throwsConfig(() => parseBrokerConfig({ "sasl.kerberos.min.time.before.relogins": "1" }), "sasl.kerberos.min.time.before.relogins", /Unknown broker property .*did you mean sasl.kerberos.min.time.before.relogin/);
  });
});

describe("the node process and Kafka's config names", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-kafka-names-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("starts with a Kafka property from the file and one from --override, and logs each once as unused", async () => {
    const file = path.join(dir, "server.properties");
    writeFileSync(file, `node.id=1\nlog.dirs=${path.join(dir, "logs")}\nsasl.kerberos.min.time.before.relogin=30000\n`);
    const node = await spawnBroker([file, "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", "ssl.keystore.type=PKCS12"]);
    try {
      const unused = node
        .output()
        .split("\n")
        .filter((line) => line.includes('"msg":"config accepted and unused"'))
        .map((line) => JSON.parse(line).config)
        .sort();
      assert.deepEqual(unused, ["sasl.kerberos.min.time.before.relogin", "ssl.keystore.type"]);
    } finally {
      node.child.kill("SIGTERM");
      await node.exited;
    }
  });

  it("refuses to start on a name Kafka does not know, naming it", async () => {
    const node = await spawnBroker(["--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", `log.dirs=${path.join(dir, "logs2")}`, "--override", "sasl.kerberos.min.time.before.relogins=1"], { waitForListening: false });
    assert.equal(await node.exited, 2);
    assert.match(node.output(), /Unknown broker property sasl\.kerberos\.min\.time\.before\.relogins/);
  });
});
