import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestBroker, uniqueTopic, type TestBroker } from "../helpers/broker";
import { BatchHeader, CompressionType } from "../../src/protocol/records/batch-header";
import { hasCommand, requireClient, run } from "../helpers/processes";

const skip = requireClient(hasCommand("kcat"), "kcat");

describe("kcat (librdkafka) against a broker node", { skip }, () => {
  let node: TestBroker;

  before(async () => {
    node = await startTestBroker({ "num.partitions": "1" });
  });
  after(async () => {
    await node?.destroy();
  });

  const kcat = (args: string[], input?: string) => run("kcat", ["-b", node.bootstrap, ...args], { input, timeoutMs: 30_000 });

  it("metadata listing (-L) shows this broker and auto-created topics", async () => {
    const topic = uniqueTopic("kcat-meta");
    const produced = await kcat(["-t", topic, "-P"], "one\n");
    assert.equal(produced.code, 0, produced.stderr);
    const listing = await kcat(["-L", "-J"]);
    assert.equal(listing.code, 0, listing.stderr);
    const metadata = JSON.parse(listing.stdout);
    assert.equal(metadata.brokers.length, 1);
    assert.equal(metadata.brokers[0].id, 1);
    assert.ok(metadata.topics.some((t: { topic: string }) => t.topic === topic));
  });

  /** The codec of every batch stored in partition 0 of `topic`. */
  const storedCodecs = (topic: string) => {
    const { records } = node.broker.produceFetch.partitionLog(topic, 0).read(0, 64 << 20);
    const codecs = new Set<number>();
    for (let at = 0; at < records.length; at += records.readInt32BE(at + BatchHeader.BATCH_LENGTH) + BatchHeader.LOG_OVERHEAD)
      codecs.add(records.readInt16BE(at + BatchHeader.ATTRIBUTES) & 0x7);
    return [...codecs];
  };

  for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"] as const) {
    it(`records produced with ${codec} compression are stored with ${codec} and consumed intact, with keys and headers`, async () => {
      const topic = uniqueTopic(`kcat-${codec}`);
      const lines = Array.from({ length: 500 }, (_, i) => `key${i % 10}:value number ${i} ${"x".repeat(i % 50)}`);
      const produced = await kcat(["-t", topic, "-P", "-K", ":", "-H", "source=kcat", "-z", codec, "-X", "linger.ms=200"], lines.join("\n") + "\n");
      assert.equal(produced.code, 0, produced.stderr);
      // librdkafka quietly sends uncompressed batches to a broker it thinks cannot read the codec
      // (and also when compressing a batch does not shrink it, hence one lingering batch of 500).
      assert.deepEqual(storedCodecs(topic), [CompressionType[codec === "none" ? "NONE" : (codec.toUpperCase() as "GZIP")]]);
      const consumed = await kcat(["-t", topic, "-C", "-e", "-o", "beginning", "-f", "%k:%s|%h|%o\n"]);
      assert.equal(consumed.code, 0, consumed.stderr);
      const rows = consumed.stdout.trim().split("\n");
      assert.equal(rows.length, 500);
      rows.forEach((row, i) => {
        const [record, headers, offset] = row.split("|");
        assert.equal(record, lines[i]);
        assert.equal(headers, "source=kcat");
        assert.equal(Number(offset), i);
      });
    });
  }

  it("consuming from an offset and from the end (-o) honours the position", async () => {
    const topic = uniqueTopic("kcat-offsets");
    await kcat(["-t", topic, "-P"], Array.from({ length: 10 }, (_, i) => `m${i}`).join("\n") + "\n");
    const fromSeven = await kcat(["-t", topic, "-C", "-e", "-o", "7"]);
    assert.deepEqual(fromSeven.stdout.trim().split("\n"), ["m7", "m8", "m9"]);
    const lastTwo = await kcat(["-t", topic, "-C", "-e", "-o", "-2"]);
    assert.deepEqual(lastTwo.stdout.trim().split("\n"), ["m8", "m9"]);
  });

  it("a consumer waiting at the end receives a record produced later (long poll)", async () => {
    const topic = uniqueTopic("kcat-longpoll");
    await kcat(["-t", topic, "-P"], "first\n");
    const consumer = kcat(["-t", topic, "-C", "-o", "beginning", "-c", "2"]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await kcat(["-t", topic, "-P"], "second\n");
    const consumed = await consumer;
    assert.deepEqual(consumed.stdout.trim().split("\n"), ["first", "second"]);
  });

  it("acks=0 and acks=all producers both land every record", async () => {
    const topic = uniqueTopic("kcat-acks");
    for (const acks of ["0", "all"]) {
      const produced = await kcat(["-t", topic, "-P", "-X", `acks=${acks}`], `acks-${acks}\n`);
      assert.equal(produced.code, 0, produced.stderr);
    }
    const consumed = await kcat(["-t", topic, "-C", "-e"]);
    assert.deepEqual(consumed.stdout.trim().split("\n"), ["acks-0", "acks-all"]);
  });
});
