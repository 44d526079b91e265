import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { configChoices, configDescription, humanConfigValue } from "@/lib/config-docs";
import { formatByteSize, formatDurationMs } from "@/lib/format";
import { TOPIC_CONFIG_DEFS } from "../../broker/src/config/topic-config";
import { BROKER_CONFIG_DEFS } from "../../broker/src/config/broker-config";

describe("config docs", () => {
  it("durations and sizes read as people say them, exact when whole, marked when rounded", () => {
    assert.equal(formatDurationMs(604_800_000), "7 d");
    assert.equal(formatDurationMs(5_400_000), "1 h 30 min");
    assert.equal(formatDurationMs(90_061_001), "≈ 1 d 1 h");
    assert.equal(formatByteSize(1_073_741_824), "1 GiB");
    assert.equal(formatByteSize(1_048_588), "≈ 1.0 MiB");
  });

  it("a config's unit comes from its name; values the raw number says as well get no reading", () => {
    assert.equal(humanConfigValue("retention.ms", "604800000"), "7 d");
    assert.equal(humanConfigValue("log.retention.hours", "168"), "7 d");
    assert.equal(humanConfigValue("offsets.retention.minutes", "10080"), "7 d");
    assert.equal(humanConfigValue("segment.bytes", "1073741824"), "1 GiB");
    assert.equal(humanConfigValue("retention.bytes", "-1"), "no limit");
    assert.equal(humanConfigValue("max.compaction.lag.ms", "9223372036854775807"), "no limit");
    assert.equal(humanConfigValue("flush.messages", "9223372036854775807"), "no limit");
    assert.equal(humanConfigValue("min.compaction.lag.ms", "0"), null);
    assert.equal(humanConfigValue("index.interval.bytes", "512"), null);
    assert.equal(humanConfigValue("min.insync.replicas", "2"), null);
    assert.equal(humanConfigValue("log.flush.interval.ms", null), null);
  });

  it("enumerated configs list their values, keeping a current value spelt another way", () => {
    assert.deepEqual(configChoices("compression.type", "producer"), ["producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"]);
    assert.deepEqual(configChoices("cleanup.policy", "delete,compact"), ["delete,compact", "delete", "compact", "compact,delete"]);
    assert.deepEqual(configChoices("preallocate", "false"), ["true", "false"]);
    assert.equal(configChoices("retention.ms", "1000"), undefined);
  });

  it("every topic and broker config the bundled broker describes has a description", () => {
    const missing = [...TOPIC_CONFIG_DEFS.keys(), ...BROKER_CONFIG_DEFS.keys()].filter((name) => !configDescription(name));
    assert.deepEqual(missing, []);
    assert.equal(configDescription("no.such.config"), undefined);
    assert.equal(configDescription("constructor"), undefined, "not the prototype's properties");
  });
});
