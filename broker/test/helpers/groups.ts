import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Consumer, Kafka } from "kafkajs";

const BROKER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MEMBER_SCRIPT = path.join(BROKER_ROOT, "test/integration/fixtures/kafkajs-group-member.ts");

/** Polls `condition` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What one group member committed: the values, each after its commit was acknowledged. */
export interface TrackedMember {
  name: string;
  committed: string[];
  /** Partitions of the latest assignment. */
  assigned: number[];
  stop(): Promise<void>;
}

/**
 * A kafkajs consumer in this process that commits after every record and
 * records the values whose commit the broker acknowledged.
 */
export async function startTrackedConsumer(kafka: Kafka, groupId: string, topic: string, name: string): Promise<TrackedMember & { consumer: Consumer }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200, rebalanceTimeout: 10_000 });
  const member = { name, committed: [] as string[], assigned: [] as number[], consumer, stop: () => consumer.disconnect() };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    member.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      member.committed.push(message.value!.toString());
    },
  });
  return member;
}

export type ChildMember = TrackedMember & { child: ChildProcess; joins: () => number; output: () => string; leave: () => Promise<void> };

/** The same member in a child process, so a test can kill it without a LeaveGroup. */
export function startChildConsumer(bootstrap: string, groupId: string, topic: string, name: string): ChildMember {
  return startChildMember(process.execPath, ["--import", "tsx", MEMBER_SCRIPT, bootstrap, groupId, topic], topic, name);
}

/**
 * A group member program in a child process that prints JSON lines:
 * {"event":"joined","assignment":{topic:[partitions]}} and
 * {"event":"committed","value":...} after each acknowledged commit.
 * stop() kills it (SIGKILL, no LeaveGroup); leave() asks it to close (SIGTERM).
 */
export function startChildMember(command: string, args: string[], topic: string, name: string): ChildMember {
  const child = spawn(command, args, { cwd: BROKER_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  let joins = 0;
  const member = {
    name,
    child,
    committed: [] as string[],
    assigned: [] as number[],
    joins: () => joins,
    output: () => stderr,
    stop: async () => {
      if (running()) child.kill("SIGKILL");
      await exited;
    },
    leave: async () => {
      if (running()) child.kill("SIGTERM");
      await exited;
    },
  };
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const event = JSON.parse(line);
      if (event.event === "committed") member.committed.push(event.value);
      if (event.event === "joined") {
        joins++;
        member.assigned = [...(event.assignment[topic] ?? [])].sort((a: number, b: number) => a - b);
      }
    }
  });
  return member;
}

/** Committed offsets of a group by partition, through the admin API. */
export async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(entry.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}
