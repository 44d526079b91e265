import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { describeBrokerConfigs, parseBrokerConfig, withDynamicConfigs } from "../../src/config/broker-config";
import { describeTopicConfigs } from "../../src/config/topic-config";

/*
 * What DescribeConfigs reports for a broker and a topic, every entry with its
 * synonyms, compared with a file recorded before broker-config.ts was split.
 * A change to a name, value, source, sensitivity, read-only flag, type or
 * synonym list fails here. Regenerate only for an intended change:
 * UPDATE_DESCRIBE_SNAPSHOT=1 node --import tsx --test test/config/describe-snapshot.test.ts
 */

const SNAPSHOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "describe-snapshot.json");

// Static properties of every kind: a synonym chain set at its fallback, a LONG beyond 2^53, a double,
// a list, a password (SASL JAAS), a Kafka property Sluice does not act on, listener-prefixed ones.
const STATIC = {
  "node.id": "3",
  listeners: "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
  "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256",
  "listener.name.sasl_plaintext.plain.sasl.jaas.config": 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="secret";',
  "listener.name.plaintext.max.connections": "50",
  "log.retention.hours": "24",
  "log.roll.ms": "3600000",
  "log.cleaner.min.cleanable.ratio": "0.25",
  "log.cleanup.policy": "compact, delete",
  "log.message.timestamp.before.max.ms": "9223372036854775807",
  "num.partitions": "4",
  "sasl.kerberos.min.time.before.relogin": "30000",
  "ssl.keystore.password": "hidden",
};
// Dynamic per-broker properties, one of them also set statically.
const DYNAMIC = { "log.retention.ms": "7200000", "log.cleanup.policy": "delete", "max.connections": "1000", "log.cleaner.threads": "2" };
const TOPIC_OVERRIDES = { "retention.ms": "-1", "segment.bytes": "2097152", "cleanup.policy": "compact", "remote.storage.enable": "false" };

function describeAll() {
  const defaults = parseBrokerConfig({});
  const configured = withDynamicConfigs(parseBrokerConfig(STATIC), DYNAMIC);
  const withSynonyms = { includeSynonyms: true };
  return {
    defaultBroker: describeBrokerConfigs(defaults, withSynonyms),
    configuredBroker: describeBrokerConfigs(configured, withSynonyms),
    configuredBrokerNoSynonyms: describeBrokerConfigs(configured, { includeSynonyms: false, names: ["log.retention.ms", "node.id", "unknown.name"] }),
    defaultTopic: describeTopicConfigs({}, defaults, withSynonyms),
    configuredTopic: describeTopicConfigs(TOPIC_OVERRIDES, configured, withSynonyms),
  };
}

/** One described entry a line, so that a change reads as a small diff. */
function snapshotText(snapshot: Record<string, unknown[]>): string {
  const sections = Object.entries(snapshot).map(([key, entries]) => `${JSON.stringify(key)}: [\n${entries.map((entry) => `  ${JSON.stringify(entry)}`).join(",\n")}\n]`);
  return `{\n${sections.join(",\n")}\n}\n`;
}

describe("DescribeConfigs output", () => {
  it("is unchanged for a default and a configured broker and topic", () => {
    const actual = JSON.parse(JSON.stringify(describeAll()));
    if (process.env.UPDATE_DESCRIBE_SNAPSHOT === "1") writeFileSync(SNAPSHOT, snapshotText(actual));
    const expected = JSON.parse(readFileSync(SNAPSHOT, "utf8"));
    // Sizes first, so that a lost or added entry reads plainly.
    for (const key of Object.keys(expected)) assert.equal(actual[key].length, expected[key].length, key);
    assert.deepEqual(actual, expected);
  });
});
