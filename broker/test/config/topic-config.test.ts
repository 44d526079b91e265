import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BROKER_CONFIG_DEFS, parseBrokerConfig } from "../../src/config/broker-config";
import {
  ConfigSource,
  ConfigTypeId,
  describeTopicConfigs,
  resolveTopicConfig,
  TOPIC_CONFIG_DEFS,
  TOPIC_CONFIG_SYNONYMS,
  validateTopicConfigs,
} from "../../src/config/topic-config";
import { UNUSED_TOPIC_CONFIGS } from "../../src/config/kafka-config-names";

const defaults = parseBrokerConfig({});

describe("topic config definitions", () => {
  it("come from the broker property table: one per topicConfig column, same type and validator, plus Kafka's topic-only ones", () => {
    const fromTable = [...BROKER_CONFIG_DEFS.values()].filter((def) => def.topicConfig !== undefined);
    assert.deepEqual([...TOPIC_CONFIG_DEFS.keys()].sort(), [...fromTable.map((def) => def.topicConfig!), ...UNUSED_TOPIC_CONFIGS.map(([name]) => name)].sort());
    for (const broker of fromTable) {
      const topic = TOPIC_CONFIG_DEFS.get(broker.topicConfig!)!;
      assert.deepEqual([topic.type, topic.synonym, topic.unused], [broker.type, broker.name, broker.unused], topic.name);
      if (topic.name !== "retention.ms") assert.equal(topic.validator, broker.validator, topic.name);
    }
    // Kafka validates retention.ms (at least -1) but not log.retention.ms.
    assert.equal(parseBrokerConfig({ "log.retention.ms": "-5" }).values.get("log.retention.ms")!.value, "-5");
    assert.equal(validateTopicConfigs({ "retention.ms": "-5" }).ok, false);
    assert.equal(validateTopicConfigs({ "retention.ms": "-1" }).ok, true);
  });

  it("take each default from Kafka's broker synonym", () => {
    assert.deepEqual(Object.fromEntries(TOPIC_CONFIG_SYNONYMS), {
      "cleanup.policy": "log.cleanup.policy",
      "compression.gzip.level": "compression.gzip.level",
      "compression.lz4.level": "compression.lz4.level",
      "compression.type": "compression.type",
      "compression.zstd.level": "compression.zstd.level",
      "delete.retention.ms": "log.cleaner.delete.retention.ms",
      "file.delete.delay.ms": "log.segment.delete.delay.ms",
      "flush.messages": "log.flush.interval.messages",
      "flush.ms": "log.flush.interval.ms",
      "index.interval.bytes": "log.index.interval.bytes",
      "local.retention.bytes": "log.local.retention.bytes",
      "local.retention.ms": "log.local.retention.ms",
      "max.compaction.lag.ms": "log.cleaner.max.compaction.lag.ms",
      "max.message.bytes": "message.max.bytes",
      "message.downconversion.enable": "log.message.downconversion.enable",
      "message.format.version": "log.message.format.version",
      "message.timestamp.after.max.ms": "log.message.timestamp.after.max.ms",
      "message.timestamp.before.max.ms": "log.message.timestamp.before.max.ms",
      "message.timestamp.difference.max.ms": "log.message.timestamp.difference.max.ms",
      "message.timestamp.type": "log.message.timestamp.type",
      "min.cleanable.dirty.ratio": "log.cleaner.min.cleanable.ratio",
      "min.compaction.lag.ms": "log.cleaner.min.compaction.lag.ms",
      "min.insync.replicas": "min.insync.replicas",
      preallocate: "log.preallocate",
      "retention.bytes": "log.retention.bytes",
      "retention.ms": "log.retention.ms",
      "segment.bytes": "log.segment.bytes",
      "segment.index.bytes": "log.index.size.max.bytes",
      "segment.jitter.ms": "log.roll.jitter.ms",
      "segment.ms": "log.roll.ms",
      "unclean.leader.election.enable": "unclean.leader.election.enable",
    });
  });

  it("match the broker table: every topicConfig named there is a topic config", () => {
    for (const def of BROKER_CONFIG_DEFS.values()) if (def.topicConfig) assert.ok(TOPIC_CONFIG_DEFS.has(def.topicConfig), def.topicConfig);
  });

  it("export Kafka's ids for config sources and types", () => {
    assert.deepEqual(ConfigSource, {
      UNKNOWN: 0,
      TOPIC_CONFIG: 1,
      DYNAMIC_BROKER_CONFIG: 2,
      DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
      STATIC_BROKER_CONFIG: 4,
      DEFAULT_CONFIG: 5,
      DYNAMIC_BROKER_LOGGER_CONFIG: 6,
      CLIENT_METRICS_CONFIG: 7,
      GROUP_CONFIG: 8,
    });
    assert.deepEqual(ConfigTypeId, { UNKNOWN: 0, BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 });
  });
});

describe("validateTopicConfigs", () => {
  it("accepts known names with valid values and returns them as given", () => {
    const configs = { "retention.ms": " 1000", "cleanup.policy": "compact,delete", "min.cleanable.dirty.ratio": "0.1" };
    assert.deepEqual(validateTopicConfigs(configs), { ok: true, configs });
    assert.deepEqual(validateTopicConfigs({}), { ok: true, configs: {} });
  });

  it("rejects an unknown name with Kafka's message", () => {
    assert.deepEqual(validateTopicConfigs({ "retention.ms": "1", foo: "bar" }), { ok: false, name: "foo", message: "Unknown topic config name: foo" });
  });

  it("rejects a broker property name, which is not a topic config", () => {
    assert.equal(validateTopicConfigs({ "log.retention.ms": "1" }).ok, false);
  });

  it("rejects invalid values with Kafka's message", () => {
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ "retention.ms": "abc" }, "retention.ms", "Invalid value abc for configuration retention.ms: Not a number of type LONG"],
      [{ "retention.ms": "-2" }, "retention.ms", "Invalid value -2 for configuration retention.ms: Value must be at least -1"],
      [{ "segment.bytes": "10" }, "segment.bytes", "Invalid value 10 for configuration segment.bytes: Value must be at least 14"],
      [{ "max.message.bytes": "1.5" }, "max.message.bytes", "Invalid value 1.5 for configuration max.message.bytes: Not a number of type INT"],
      [{ "message.timestamp.type": "Now" }, "message.timestamp.type", "Invalid value Now for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime"],
      [{ preallocate: "1" }, "preallocate", "Invalid value 1 for configuration preallocate: Expected value to be either true or false"],
      [{ "min.cleanable.dirty.ratio": "2" }, "min.cleanable.dirty.ratio", "Invalid value 2 for configuration min.cleanable.dirty.ratio: Value must be no more than 1"],
    ];
    for (const [configs, name, message] of cases) assert.deepEqual(validateTopicConfigs(configs), { ok: false, name, message });
    assert.match((validateTopicConfigs({ "cleanup.policy": "delete,forever" }) as { message: string }).message, /forever/);
  });

  it("rejects null values", () => {
    assert.deepEqual(validateTopicConfigs({ "retention.ms": null }), {
      ok: false,
      name: "retention.ms",
      message: "Null value not supported for topic configs: retention.ms",
    });
  });

  it("rejects min.compaction.lag.ms above max.compaction.lag.ms, also against the broker default", () => {
    assert.equal(validateTopicConfigs({ "min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5" }).ok, false);
    const broker = parseBrokerConfig({ "log.cleaner.max.compaction.lag.ms": "5" });
    assert.equal(validateTopicConfigs({ "min.compaction.lag.ms": "10" }).ok, true);
    assert.deepEqual(validateTopicConfigs({ "min.compaction.lag.ms": "10" }, broker), {
      ok: false,
      name: "min.compaction.lag.ms",
      message: "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)",
    });
  });
});

describe("resolveTopicConfig", () => {
  it("gives Kafka's defaults for a topic without overrides", () => {
    assert.deepEqual(resolveTopicConfig({}, defaults), {
      cleanupPolicy: ["delete"],
      compressionType: "producer",
      deleteRetentionMs: 86400000,
      fileDeleteDelayMs: 60000,
      flushMessages: Number.MAX_SAFE_INTEGER,
      flushMs: Number.MAX_SAFE_INTEGER,
      indexIntervalBytes: 4096,
      maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
      maxMessageBytes: 1048588,
      messageTimestampAfterMaxMs: Number.MAX_SAFE_INTEGER,
      messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
      messageTimestampDifferenceMaxMs: Number.MAX_SAFE_INTEGER,
      messageTimestampType: "CreateTime",
      minCleanableDirtyRatio: 0.5,
      minCompactionLagMs: 0,
      minInsyncReplicas: 1,
      preallocate: false,
      retentionBytes: -1,
      retentionMs: 604800000,
      segmentBytes: 1073741824,
      segmentIndexBytes: 10485760,
      segmentJitterMs: 0,
      segmentMs: 604800000,
      uncleanLeaderElectionEnable: false,
    });
  });

  it("takes defaults from the broker's properties, following their fallbacks", () => {
    const broker = parseBrokerConfig({
      "log.retention.minutes": "10",
      "log.roll.hours": "1",
      "log.flush.scheduler.interval.ms": "2000",
      "log.segment.bytes": "1048576",
      "log.message.timestamp.type": "LogAppendTime",
    });
    const resolved = resolveTopicConfig({}, broker);
    assert.equal(resolved.retentionMs, 600_000);
    assert.equal(resolved.segmentMs, 3_600_000);
    assert.equal(resolved.flushMs, 2000);
    assert.equal(resolved.segmentBytes, 1048576);
    assert.equal(resolved.messageTimestampType, "LogAppendTime");
  });

  it("lets topic overrides win over the broker", () => {
    const broker = parseBrokerConfig({ "log.retention.hours": "1" });
    const resolved = resolveTopicConfig({ "retention.ms": "-1", "cleanup.policy": "compact", "max.message.bytes": "2000" }, broker);
    assert.equal(resolved.retentionMs, -1);
    assert.deepEqual(resolved.cleanupPolicy, ["compact"]);
    assert.equal(resolved.maxMessageBytes, 2000);
  });
});

describe("describeTopicConfigs", () => {
  const find = (entries: ReturnType<typeof describeTopicConfigs>, name: string) => entries.find((entry) => entry.name === name)!;

  it("lists every topic config, sorted, with effective values and Kafka's types", () => {
    const entries = describeTopicConfigs({}, defaults, { includeSynonyms: false });
    assert.deepEqual(entries.map((entry) => entry.name), [...TOPIC_CONFIG_DEFS.keys()].sort());
    assert.deepEqual(find(entries, "retention.ms"), {
      name: "retention.ms",
      value: "604800000",
      source: "DEFAULT_CONFIG",
      isSensitive: false,
      readOnly: false,
      type: "LONG",
      documentation: null,
      synonyms: [],
    });
    assert.equal(find(entries, "flush.messages").value, "9223372036854775807");
    assert.equal(find(entries, "cleanup.policy").type, "LIST");
    assert.equal(find(entries, "min.cleanable.dirty.ratio").value, "0.5");
  });

  it("orders synonyms as Kafka does: the topic override, then the static broker property, then the default", () => {
    const broker = parseBrokerConfig({ "log.segment.bytes": "1048576" });
    const entries = describeTopicConfigs({ "segment.bytes": "2097152" }, broker, { includeSynonyms: true, names: ["segment.bytes"] });
    assert.deepEqual(entries.length, 1);
    assert.equal(entries[0].value, "2097152");
    assert.equal(entries[0].source, "TOPIC_CONFIG");
    assert.deepEqual(entries[0].synonyms, [
      { name: "segment.bytes", value: "2097152", source: "TOPIC_CONFIG" },
      { name: "log.segment.bytes", value: "1048576", source: "STATIC_BROKER_CONFIG" },
      { name: "log.segment.bytes", value: "1073741824", source: "DEFAULT_CONFIG" },
    ]);
  });

  it("reports the static broker property as the source when there is no override", () => {
    const broker = parseBrokerConfig({ "log.segment.bytes": "1048576" });
    const entry = describeTopicConfigs({}, broker, { includeSynonyms: false, names: ["segment.bytes"] })[0];
    assert.deepEqual([entry.value, entry.source, entry.synonyms], ["1048576", "STATIC_BROKER_CONFIG", []]);
  });

  it("names the fallback property (log.retention.hours) a retention time comes from", () => {
    const broker = parseBrokerConfig({ "log.retention.hours": "24" });
    const entry = describeTopicConfigs({}, broker, { includeSynonyms: true, names: ["retention.ms"] })[0];
    assert.equal(entry.value, "86400000");
    assert.equal(entry.source, "STATIC_BROKER_CONFIG");
    assert.deepEqual(entry.synonyms, [
      { name: "log.retention.hours", value: "24", source: "STATIC_BROKER_CONFIG" },
      { name: "log.retention.hours", value: "168", source: "DEFAULT_CONFIG" },
    ]);
  });

  it("puts dynamic broker values before static ones", () => {
    const broker = parseBrokerConfig({ "log.retention.ms": "5000" }, { "log.retention.ms": "7000" });
    const entry = describeTopicConfigs({}, broker, { includeSynonyms: true, names: ["retention.ms"] })[0];
    assert.equal(entry.value, "7000");
    assert.deepEqual(
      entry.synonyms.map((synonym) => [synonym.name, synonym.value, synonym.source]),
      [
        ["log.retention.ms", "7000", "DYNAMIC_BROKER_CONFIG"],
        ["log.retention.ms", "5000", "STATIC_BROKER_CONFIG"],
        ["log.retention.hours", "168", "DEFAULT_CONFIG"],
      ],
    );
  });
});
