import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { asText, decodeBase64, detectFormat, inputBytes, inputProblem, previewText, toHex } from "@/lib/payload";
import { formatCursor, parseCursor } from "@/lib/cursor";
import { topicNameProblem } from "@/lib/topic-name";
import { browseInputSchema, produceInputSchema } from "@/lib/contracts";
import { readBrowseParams } from "@/components/messages/search-params";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("payload detection", () => {
  it("JSON objects and arrays are json; other UTF-8 is text; invalid UTF-8 or control bytes are hex", () => {
    assert.equal(detectFormat(bytes('{"a":1}')), "json");
    assert.equal(detectFormat(bytes(" [1,2]\n")), "json");
    assert.equal(detectFormat(bytes("42")), "text", "a bare number reads better as text");
    assert.equal(detectFormat(bytes('{"cut": ')), "text", "truncated JSON falls back to text");
    assert.equal(detectFormat(bytes("<img src=x onerror=alert(1)>")), "text");
    assert.equal(detectFormat(new Uint8Array([0xff, 0xfe, 0x00])), "hex");
    assert.equal(detectFormat(new Uint8Array([0x41, 0x00, 0x42])), "hex");
    assert.equal(asText(bytes("tab\tand\nnewline")), "tab\tand\nnewline");
  });

  it("hex dumps show offsets, bytes and printable characters", () => {
    assert.equal(toHex(bytes("AB\u0001")), `00000000  ${"41 42 01".padEnd(47)}  AB.`);
  });

  it("previews are one line and bounded", () => {
    assert.equal(previewText(Buffer.from("a\nb").toString("base64")), "a b");
    assert.equal(previewText(Buffer.from("x".repeat(500)).toString("base64"), 10), "xxxxxxxxxx…");
  });
});

describe("contracts", () => {
  it("topic names follow Kafka's rule", () => {
    assert.equal(topicNameProblem("orders.v1_x-y"), null);
    assert.match(topicNameProblem("bad name")!, /only letters/);
    assert.match(topicNameProblem("..")!, /cannot be/);
    assert.match(topicNameProblem("x".repeat(250))!, /at most 249/);
  });

  it("browse input caps the count at 500 and needs an offset to start at one", () => {
    assert.equal(browseInputSchema.safeParse({ count: "501" }).success, false);
    const missing = browseInputSchema.safeParse({ start: "offset" });
    assert.equal(missing.success, false);
    assert.deepEqual(missing.error!.issues[0].path, ["offset"]);
    assert.deepEqual(browseInputSchema.parse({}), { partition: "all", start: "newest", count: 50, order: "newest-first", in: "any" });
  });

  it("produce input refuses invalid JSON when the value is declared JSON, naming the field", () => {
    const result = produceInputSchema.safeParse({ value: "{nope", valueFormat: "json" });
    assert.equal(result.success, false);
    assert.deepEqual(result.error!.issues[0].path, ["value"]);
    assert.equal(produceInputSchema.safeParse({ value: "{nope", valueFormat: "text" }).success, true);
  });

  it("typed keys, values and headers: base64 is strict and exact, and text with a lone surrogate is refused", () => {
    assert.deepEqual([...decodeBase64("AAEC/w==")!], [0, 1, 2, 255]);
    assert.deepEqual([...decodeBase64("QUJD\nREVG")!], [...Buffer.from("ABCDEF")], "line breaks between groups are fine");
    for (const bad of ["AAE", "AA=E", "QR==", "-_8=", "ab c!"]) assert.equal(decodeBase64(bad), null, bad);
    assert.deepEqual([...inputBytes("é", "text")], [0xc3, 0xa9]);
    assert.equal(inputBytes(' { "a" : 1 } ', "json").length, 13, "JSON is sent as typed");
    assert.match(inputProblem("a\uDFFF", "text")!, /character 2 is a lone surrogate \(U\+DFFF\)/);
    assert.match(inputProblem('"\uD800"', "json")!, /lone surrogate/);
    assert.equal(inputProblem("\uD83D\uDE00", "text"), null, "a surrogate pair is one character");
    assert.match(inputProblem("{", "json")!, /^is not valid JSON/);
  });

  it("cursors round-trip, sorted by partition", () => {
    assert.equal(formatCursor(parseCursor("2:5,0:10")), "0:10,2:5");
  });

  it("browse URL params fall back to defaults field by field", () => {
    const { input, open } = readBrowseParams(new URLSearchParams("partition=3&count=9999&order=oldest-first&open=3:7"));
    assert.equal(input.partition, 3);
    assert.equal(input.count, 50);
    assert.equal(input.order, "oldest-first");
    assert.deepEqual(open, { partition: 3, offset: 7 });
    assert.equal(readBrowseParams(new URLSearchParams("start=offset")).input.start, "newest");
  });

  it("browse URL params that cannot be honoured are listed with the reason, never dropped silently", () => {
    const ignored = (query: string, partitions?: number) => readBrowseParams(new URLSearchParams(query), partitions).ignored.map((i) => `${i.param}=${i.value}: ${i.reason}`);
    assert.deepEqual(ignored("start=offset&offset=-5"), ["offset=-5: an offset is 0 or more", "start=offset: there is no valid offset to start at"]);
    assert.deepEqual(ignored("cursor=garbage"), ["cursor=garbage: a cursor is partition:offset pairs separated by commas"]);
    assert.deepEqual(ignored("partition=99", 3), ["partition=99: the topic has partitions 0 to 2"]);
    assert.deepEqual(ignored("partition=2", 3), []);
    assert.deepEqual(ignored("order=sideways&open=x"), ["order=sideways: an order is newest-first or oldest-first", "open=x: a record is partition:offset"]);
    assert.deepEqual(ignored("start=timestamp&timestamp=1700000000000&count=20"), []);
  });

  it("browse reads forward from an offset, a time or the oldest record unless an order is given", () => {
    const order = (query: string) => readBrowseParams(new URLSearchParams(query)).input.order;
    assert.equal(order(""), "newest-first");
    assert.equal(order("start=offset&offset=3"), "oldest-first");
    assert.equal(order("start=timestamp&timestamp=0"), "oldest-first");
    assert.equal(order("start=oldest"), "oldest-first");
    assert.equal(order("start=offset&offset=3&order=newest-first"), "newest-first");
  });
});

describe("lag", () => {
  it("is the distance from the committed offset to the high watermark, from the log start at least, and null without a commit", async () => {
    const { partitionLag } = await import("@/lib/lag");
    assert.equal(partitionLag(7, 0, 10), 3);
    assert.equal(partitionLag(10, 0, 10), 0);
    assert.equal(partitionLag(2, 5, 10), 5, "records deleted by retention are not lag");
    assert.equal(partitionLag(-1, 0, 10), null);
  });
});

describe("pagination", async () => {
  const { paginate, readPageParam } = await import("@/lib/paginate");
  it("shows one page of rows and clamps the page to the ones that exist", () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    assert.deepEqual(paginate(items, 1, 100).rows.slice(0, 2), [0, 1]);
    const last = paginate(items, 3, 100);
    assert.deepEqual([last.page, last.pages, last.total, last.rows.length, last.rows[0]], [3, 3, 250, 50, 200]);
    assert.equal(paginate(items, 99, 100).page, 3, "past the end is the last page");
    assert.equal(paginate([], 5, 100).page, 1);
    assert.equal(paginate([], 5, 100).pages, 1);
    assert.equal(readPageParam("2"), 2);
    for (const bad of [null, "0", "-1", "1.5", "x"]) assert.equal(readPageParam(bad), 1, String(bad));
  });
});

describe("config lines", async () => {
  const { parseConfigLines } = await import("@/lib/config-lines");
  it("reads name=value lines, skipping blanks and comments, and names the bad line", () => {
    assert.deepEqual(parseConfigLines("cleanup.policy=compact\n\n# keep a day\n retention.ms = 86400000 \n"), {
      configs: { "cleanup.policy": "compact", "retention.ms": "86400000" },
      error: null,
    });
    assert.deepEqual(parseConfigLines("").configs, {});
    assert.match(parseConfigLines("a=1\nretention.ms").error!, /line 2: expected name=value/);
    assert.match(parseConfigLines("=5").error!, /line 1/);
    assert.match(parseConfigLines("bad name=1").error!, /not a config name/);
    assert.match(parseConfigLines("a=1\na=2").error!, /a is set twice/);
    assert.deepEqual(parseConfigLines("message.format=a=b").configs, { "message.format": "a=b" }, "only the first = splits");
  });
});

describe("table sorting", async () => {
  const { compareBy, nextSort } = await import("@/lib/sort");
  it("sorts text in locale order and numbers numerically, either way round", () => {
    const rows = [{ n: "b", v: 10 }, { n: "a", v: 9 }, { n: "C", v: 100 }];
    assert.deepEqual([...rows].sort(compareBy((r) => r.n, "asc")).map((r) => r.n), ["a", "b", "C"]);
    assert.deepEqual([...rows].sort(compareBy((r) => r.v, "desc")).map((r) => r.v), [100, 10, 9]);
    assert.deepEqual(nextSort({ sort: "name", dir: "asc" }, "name"), { sort: "name", dir: "desc" });
    assert.deepEqual(nextSort({ sort: "name", dir: "desc" }, "name"), { sort: "name", dir: "asc" });
    assert.deepEqual(nextSort({ sort: "name", dir: "desc" }, "lag"), { sort: "lag", dir: "asc" });
  });
});
