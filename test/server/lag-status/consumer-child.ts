// A kafkajs consumer in its own process, so a test can freeze it with SIGSTOP
// as a hung or paused consumer would be. Reads and commits every record of a
// topic; prints "joined" once it has been assigned partitions.
// Usage: node --import tsx consumer-child.ts <bootstrap> <topic> <groupId>
import { Kafka, logLevel } from "kafkajs";

const [bootstrap, topic, groupId] = process.argv.slice(2);
const kafka = new Kafka({ clientId: "lag-status-child", brokers: [bootstrap], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, heartbeatInterval: 200, sessionTimeout: 6_000 });
consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write("joined\n"));
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
  },
});
