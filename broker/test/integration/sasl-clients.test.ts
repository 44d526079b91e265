import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Kafka, logLevel, type SASLOptions } from "kafkajs";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { hasCommand, hasPythonModules, requireClient, run } from "../helpers/processes";
import { saslBootstrap, saslOverrides, saslPort, SASL_USERS } from "../helpers/sasl";

const MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
const here = path.dirname(fileURLToPath(import.meta.url));

/** One node with a PLAINTEXT and a SASL_PLAINTEXT listener, shared by the clients below. */
let node: TestBroker;
before(async () => {
  node = await startTestBroker({ ...saslOverrides(), "group.initial.rebalance.delay.ms": "0", "num.partitions": "1" });
});
after(async () => node?.destroy());

describe("kafkajs over SASL_PLAINTEXT", () => {
  const kafkaFor = (mechanism: string, password: string) =>
    new Kafka({
      clientId: "sluice-sasl",
      brokers: [saslBootstrap(node)],
      sasl: { mechanism: mechanism.toLowerCase(), username: "bob", password } as SASLOptions,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });

  for (const mechanism of MECHANISMS)
    it(`${mechanism}: produces, and a consumer group consumes every record; metadata points at the SASL port`, async () => {
      const kafka = kafkaFor(mechanism, SASL_USERS.bob);
      const topic = uniqueTopic(`kjs-${mechanism.toLowerCase()}`);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
        const cluster = await admin.describeCluster();
        assert.deepEqual(cluster.brokers.map((b) => b.port), [saslPort(node)]);
      } finally {
        await admin.disconnect();
      }
      const producer = kafka.producer();
      await producer.connect();
      const values = Array.from({ length: 50 }, (_, i) => `${mechanism}-${i}`);
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: `sasl-${topic}`, heartbeatInterval: 100 });
      await consumer.connect();
      const received: string[] = [];
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`consumed ${received.length} of ${values.length}`)), 20_000);
          void consumer.run({
            eachMessage: async ({ message }) => {
              received.push(message.value!.toString());
              if (received.length === values.length) {
                clearTimeout(timer);
                resolve();
              }
            },
          });
        });
      } finally {
        await consumer.disconnect();
      }
      assert.deepEqual(received.sort(), values.sort());
    });

  it("a wrong password is refused with the broker's message", async () => {
    const admin = kafkaFor("SCRAM-SHA-512", "not-bobs").admin();
    await assert.rejects(admin.connect(), (error: Error) => {
      assert.equal(error.name, "KafkaJSSASLAuthenticationError");
      assert.match(error.message, /invalid credentials with SASL mechanism SCRAM-SHA-512/);
      return true;
    });
  });

  it("an unsupported mechanism is refused at the handshake", async () => {
    const aws = new Kafka({
      brokers: [saslBootstrap(node)],
      sasl: { mechanism: "aws", authorizationIdentity: "x", accessKeyId: "x", secretAccessKey: "x" },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    await assert.rejects(aws.connect(), /The broker does not support the requested SASL mechanism/);
  });
});

describe("kcat (librdkafka) over SASL_PLAINTEXT", { skip: requireClient(hasCommand("kcat"), "kcat") }, () => {
  const kcat = (mechanism: string, password: string, args: string[], input?: string) =>
    run(
      "kcat",
      [
        "-b",
        saslBootstrap(node),
        "-X",
        "security.protocol=SASL_PLAINTEXT",
        "-X",
        `sasl.mechanisms=${mechanism}`,
        "-X",
        "sasl.username=alice",
        "-X",
        `sasl.password=${password}`,
        ...args,
      ],
      { input, timeoutMs: 30_000 },
    );

  for (const mechanism of MECHANISMS)
    it(`${mechanism}: produces and consumes`, async () => {
      const topic = uniqueTopic(`kcat-${mechanism.toLowerCase()}`);
      const lines = Array.from({ length: 100 }, (_, i) => `${mechanism} line ${i}`);
      const produced = await kcat(mechanism, SASL_USERS.alice, ["-t", topic, "-P"], lines.join("\n") + "\n");
      assert.equal(produced.code, 0, produced.stderr);
      const consumed = await kcat(mechanism, SASL_USERS.alice, ["-t", topic, "-C", "-e", "-o", "beginning", "-q"]);
      assert.equal(consumed.code, 0, consumed.stderr);
      assert.deepEqual(consumed.stdout.trim().split("\n"), lines);
    });

  it("a wrong password fails with the broker's message", async () => {
    const listing = await kcat("PLAIN", "wrong", ["-L", "-m", "3"]);
    assert.notEqual(listing.code, 0);
    assert.match(listing.stderr, /Authentication failed: Invalid username or password/);
  });
});

/** Client, module, Debian package, and what a wrong password looks like to it (kafka-python's bare tokens get no error message). */
const PYTHON_CLIENTS = [
  ["kafka-python", "kafka", "python3-kafka", "NoBrokersAvailable"],
  ["confluent-kafka", "confluent_kafka", "python3-confluent-kafka", "_AUTHENTICATION"],
] as const;

for (const [client, module, packageName, failure] of PYTHON_CLIENTS)
  describe(`${client} over SASL_PLAINTEXT`, { skip: requireClient(hasPythonModules(module), packageName) }, () => {
    const runClient = async (mechanism: string, password: string, topic: string) => {
      const args = [path.join(here, "python", "sasl_client.py"), client, saslBootstrap(node), topic, mechanism, "alice", password];
      const result = await run("/usr/bin/python3", args, { timeoutMs: 90_000 });
      assert.equal(result.code, 0, `sasl_client.py failed:\n${result.stderr}\n${result.stdout}`);
      return JSON.parse(result.stdout.trim().split("\n").pop()!);
    };

    for (const mechanism of MECHANISMS)
      it(`${mechanism}: produces and consumes`, async () => {
        const observed = await runClient(mechanism, SASL_USERS.alice, uniqueTopic(`py-${mechanism.toLowerCase()}`));
        assert.deepEqual(observed, { produced: 20, consumed: Array.from({ length: 20 }, (_, i) => `${mechanism}-${i}`) });
      });

    it("a wrong password stops the client", async () => {
      const observed = await runClient("SCRAM-SHA-256", "wrong", uniqueTopic("py-wrong"));
      assert.deepEqual(observed, { error: failure });
    });
  });
