import assert from "node:assert/strict";
import net from "node:net";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the Prometheus text format strictly: every line a HELP, a TYPE or a
 * sample; a family's TYPE before its samples, and at most once; label values
 * unescaped. Throws (an assertion) on anything else.
 */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  assert.ok(text.endsWith("\n"), "the exposition ends with a newline");
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.slice(0, -1).split("\n")) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (type) {
      assert.ok(!types.has(type[1]), `one TYPE line for ${type[1]}`);
      types.set(type[1], type[2]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    assert.ok(!/^# (HELP|TYPE)\b/.test(line), `a well-formed HELP or TYPE line: ${line}`);
    // Any other comment is ignored by the format.
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const labelText = match[2] ?? "";
    const pairs = [...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g)];
    assert.equal(pairs.map((pair) => pair[0]).join(""), labelText, `labels parse: ${labelText}`);
    for (const pair of pairs) labels[pair[1]] = pair[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    const family = [match[1], match[1].replace(/_(sum|count)$/, "")].find((name) => types.has(name));
    assert.ok(family, `${match[1]} comes after its TYPE line`);
    const value = Number(match[3] === "+Inf" ? Infinity : match[3] === "-Inf" ? -Infinity : match[3]);
    assert.ok(!Number.isNaN(value) || match[3] === "NaN", `a number: ${match[3]}`);
    samples.push({ name: match[1], labels, value });
  }
  return { samples, types };
}

/** The samples of `name` whose labels include `labels`; the first's value, or undefined. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}, exact = true): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value) &&
      (!exact || Object.keys(sample.labels).length === Object.keys(labels).length),
  )?.value;
}

/** The sum over every sample of `name` whose labels include `labels`. */
export function sumOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** GET /metrics over HTTP, parsed. */
export async function scrape(port: number): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return parseExposition(await response.text()).samples;
}

/** Sends raw bytes to host:port and gathers everything the server sends until it closes (or `waitMs` passes). */
export function rawExchange(port: number, payload: Buffer | string, waitMs = 5000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closed: false });
    }, waitMs);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString("latin1"), closed: true });
    });
    socket.on("connect", () => socket.write(payload));
  });
}
