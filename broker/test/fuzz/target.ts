/**
 * The fuzz target: a real broker node on a temp dir, whose request path
 * (frame decoder, dispatcher, handlers, response encoding) each input goes
 * through in process, as a connection would drive it. It watches the
 * invariants: no unexpected error (contained bugs are still bugs), responses
 * that decode and answer the right correlation id, a control client that
 * keeps producing and fetching over a real socket, a bounded heap, and
 * records acknowledged before fuzzing that never change.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { Dispatcher } from "../../src/handlers/dispatcher";
import type { ConnectionInfo, DispatchResult } from "../../src/net/connection";
import { FrameDecoder, FrameTooLargeError } from "../../src/protocol/frame-decoder";
import { SaslSession, type ListenerSasl } from "../../src/net/sasl/sasl-session";
import { ErrorCode } from "../../src/protocol/errors";
import { API_MESSAGES, ApiKey, responseHeaderVersion } from "../../src/protocol/generated/api-messages";
import { readResponseHeader } from "../../src/protocol/generated";
import { Reader } from "../../src/protocol/reader";
import { encodeRecordBatch } from "../../src/protocol/records/record-batch";
import { createLogger } from "../../src/runtime/logger";
import { startTestBroker, type TestBroker } from "../helpers/broker";
import { RawClient } from "../helpers/raw-client";
import { saslOverrides } from "../helpers/sasl";
import { FUZZ_PARTITIONS, FUZZ_TOPICS, sampleBatches } from "./seeds";

/** An input as the socket would deliver it: replayable on its own. */
export interface WireInput {
  label: string;
  listener: "PLAINTEXT" | "SASL_PLAINTEXT";
  chunks: Buffer[];
}

export interface Finding {
  reason: string;
  input: WireInput | null;
  /** Error lines the node logged around it. */
  logged: string[];
}

/** How long one request may take before the input is abandoned, as a client that gives up (JoinGroup waits for a rebalance). */
const REQUEST_WAIT_MS_MAX = 200;
const ACKNOWLEDGED_TOPIC = "fuzz-acknowledged";
const CONTROL_TOPIC = "fuzz-control";
const RECENT_INPUTS = 8;
/** An input over a socket is done once the node has sent nothing for this long (or closed it). */
const SOCKET_QUIET_MS = 50;

export class FuzzTarget {
  readonly findings: Finding[] = [];
  /** Distinct behaviours seen (api, version, outcome, error codes): the corpus keeps an input for each new one. */
  readonly behaviours = new Set<string>();
  inputs = 0;
  heapBytesPeak = 0;
  private readonly recent: WireInput[] = [];
  private readonly errorLines: string[] = [];
  private readonly dispatcher: Dispatcher;
  private readonly saslListener: ListenerSasl;
  private nextConnectionId = 1_000_000;
  private acknowledged: Buffer[] = [];
  private controlSent = 0;

  private constructor(
    readonly node: TestBroker,
    errorLines: string[],
    private readonly heapBytesMax: number,
  ) {
    this.errorLines = errorLines;
    this.dispatcher = new Dispatcher(node.broker.handlers, node.broker, node.broker.logger, node.broker.unexpectedErrors);
    this.saslListener = node.broker.listenerSasl("SASL_PLAINTEXT")!;
  }

  static async start(options: { heapBytesMax: number }): Promise<FuzzTarget> {
    // The node's error lines are kept (the last few) to go with a finding; the rest is dropped.
    const errorLines: string[] = [];
    const logger = createLogger({
      level: "error",
      write: (line) => {
        errorLines.push(line.slice(0, 4000));
        if (errorLines.length > 20) errorLines.shift();
      },
    });
    const node = await startTestBroker({ ...saslOverrides(), "group.initial.rebalance.delay.ms": "0" }, undefined, { logger });
    const target = new FuzzTarget(node, errorLines, options.heapBytesMax);
    for (const name of [...FUZZ_TOPICS, ACKNOWLEDGED_TOPIC, CONTROL_TOPIC])
      await node.broker.controller.createTopic({ name, numPartitions: FUZZ_PARTITIONS, replicationFactor: 1, assignments: [], configs: {} }, { validateOnly: false });
    await target.acknowledge();
    return target;
  }

  /** Writes records through a real client and keeps what the node stores, to compare after fuzzing. */
  private async acknowledge(): Promise<void> {
    const client = await RawClient.connect(this.node.port);
    try {
      for (const records of sampleBatches()) {
        const response = await client.request(ApiKey.Produce, 9, produceBody(ACKNOWLEDGED_TOPIC, 0, records));
        const errorCode = response.responses[0].partitionResponses[0].errorCode;
        if (errorCode !== ErrorCode.NONE) throw new Error(`acknowledging records failed with error ${errorCode}`);
      }
      this.acknowledged = await readPartition(client, ACKNOWLEDGED_TOPIC, 0);
    } finally {
      client.close();
    }
  }

  /** Runs one input through the request path and checks what came back. Returns whether its behaviour was new. */
  async run(input: WireInput): Promise<boolean> {
    this.inputs++;
    this.recent.push(input);
    if (this.recent.length > RECENT_INPUTS) this.recent.shift();
    const errorsBefore = this.node.broker.unexpectedErrors.total;
    const id = this.nextConnectionId++;
    const connection: ConnectionInfo = {
      id,
      listenerName: input.listener,
      remoteAddress: "fuzz",
      remotePort: 0,
      sasl: input.listener === "SASL_PLAINTEXT" ? new SaslSession(this.saslListener, id) : null,
    };
    const decoder = new FrameDecoder(this.node.broker.config.socketRequestMaxBytes);
    const outcomes: string[] = [];
    try {
      for (const chunk of input.chunks) {
        let frames: Buffer[];
        try {
          frames = decoder.push(chunk);
        } catch (error) {
          if (error instanceof FrameTooLargeError) {
            outcomes.push("frame too large");
            break;
          }
          this.find(`the frame decoder threw ${describe(error)}`, input);
          break;
        }
        let open = true;
        for (const frame of frames) {
          open = await this.dispatchOne(frame, connection, input, outcomes);
          if (!open) break;
        }
        if (!open) break;
      }
    } catch (error) {
      this.find(`the request path threw ${describe(error)}`, input);
    }
    if (this.node.broker.unexpectedErrors.total !== errorsBefore) this.find("the node counted an unexpected error", input);
    const behaviour = outcomes.join(" | ");
    if (this.behaviours.has(behaviour)) return false;
    this.behaviours.add(behaviour);
    return true;
  }

  /** One frame, as Connection.processQueue handles it; false once the connection would be closed or abandoned. */
  private async dispatchOne(frame: Buffer, connection: ConnectionInfo, input: WireInput, outcomes: string[]): Promise<boolean> {
    const request = frame.length >= 8 ? { apiKey: frame.readInt16BE(0), version: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) } : null;
    // After a v0 SaslHandshake, tokens go bare, without a Kafka header, and so do the answers.
    const rawToken = connection.sasl?.state.kind === "authenticate" && connection.sasl.state.framing === "raw";
    let pending: DispatchResult | Promise<DispatchResult>;
    try {
      pending = this.dispatcher.dispatch(frame, connection);
    } catch (error) {
      this.find(`dispatch threw ${describe(error)}`, input);
      return false;
    }
    let result: DispatchResult;
    if (pending instanceof Promise) {
      const late = pending.then(
        (settled) => settled,
        (error: unknown) => {
          this.find(`dispatch rejected ${describe(error)}`, input);
          return null;
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const settled = await Promise.race([late, new Promise<"waiting">((resolve) => (timer = setTimeout(resolve, REQUEST_WAIT_MS_MAX, "waiting")))]);
      clearTimeout(timer);
      if (settled === null) return false;
      if (settled === "waiting") {
        // Checked when it settles; the input goes no further, as if the client gave up.
        void late.then((lateResult) => lateResult && this.check(lateResult, request, rawToken, input));
        outcomes.push(`${request?.apiKey}:${request?.version}:waiting`);
        return false;
      }
      result = settled;
    } else result = pending;
    outcomes.push(this.check(result, request, rawToken, input));
    return result.kind === "respond" || result.kind === "no-response";
  }

  /** Checks a response decodes and answers the request; returns a short description of the outcome. */
  private check(result: DispatchResult, request: { apiKey: number; version: number; correlationId: number } | null, rawToken: boolean, input: WireInput): string {
    const head = request ? `${request.apiKey}:${request.version}` : "short";
    if (result.kind === "close") return `${head}:close:${result.reason.replace(/-?\d+/g, "#").slice(0, 120)}`;
    if (result.kind === "no-response") return `${head}:no-response`;
    if (rawToken) return `raw-sasl-token:${result.kind}`;
    if (request === null) return `${head}:${result.kind}`;
    const body = Buffer.concat(result.chunks);
    try {
      const reader = new Reader(body);
      const spec = API_MESSAGES.get(request.apiKey)!;
      const unsupportedApiVersions = request.apiKey === ApiKey.ApiVersions && body.length >= 6 && body.readInt16BE(4) === ErrorCode.UNSUPPORTED_VERSION;
      const version = unsupportedApiVersions ? 0 : request.version;
      const header = readResponseHeader(reader, responseHeaderVersion(request.apiKey, version));
      if (header.correlationId !== request.correlationId)
        this.find(`the response carries correlation id ${header.correlationId}, the request ${request.correlationId}`, input);
      const decoded = spec.readResponse(reader, version);
      return `${head}:${result.kind}:${[...errorCodesOf(decoded)].sort((a, b) => a - b).join(",")}`;
    } catch (error) {
      this.find(`the response to api ${request.apiKey} v${request.version} does not decode: ${describe(error)}`, input);
      return `${head}:undecodable`;
    }
  }

  /**
   * Sends an input over a real socket, chunk by chunk, so that Connection
   * (its queue, pausing, SASL frame limits) is in the path too; done when the
   * node closes the connection or has been quiet for a moment.
   */
  async runOverSocket(input: WireInput): Promise<void> {
    this.inputs++;
    const errorsBefore = this.node.broker.unexpectedErrors.total;
    const port = this.node.broker.boundPort(input.listener);
    await new Promise<void>((resolve) => {
      const socket = net.connect({ port, host: "127.0.0.1" });
      let quiet: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(quiet);
        socket.destroy();
        resolve();
      };
      const idle = () => {
        clearTimeout(quiet);
        quiet = setTimeout(done, SOCKET_QUIET_MS);
      };
      socket.on("error", () => {});
      socket.on("close", done);
      socket.on("data", idle);
      // One chunk per turn of the event loop, so that the node reads them apart.
      const writeFrom = (index: number) => {
        if (socket.destroyed) return;
        if (index === input.chunks.length) return idle();
        socket.write(input.chunks[index]);
        setImmediate(writeFrom, index + 1);
      };
      socket.on("connect", () => writeFrom(0));
    });
    if (this.node.broker.unexpectedErrors.total !== errorsBefore) this.find("the node counted an unexpected error (over a socket)", input);
  }

  /** A control client on a real socket still produces and reads back its record. */
  async checkControl(): Promise<void> {
    let client: RawClient | null = null;
    try {
      client = await RawClient.connect(this.node.port);
      const value = `control-${++this.controlSent}`;
      const partition = this.controlSent % FUZZ_PARTITIONS;
      const produced = await client.request(ApiKey.Produce, 9, produceBody(CONTROL_TOPIC, partition, encodeRecordBatch({ now: Date.now(), records: [{ value: Buffer.from(value) }] })));
      const { errorCode, baseOffset } = produced.responses[0].partitionResponses[0];
      if (errorCode !== ErrorCode.NONE) return this.find(`the control client's produce failed with error ${errorCode}`, null);
      const fetched = await client.request(ApiKey.Fetch, 11, fetchBody(CONTROL_TOPIC, partition, baseOffset));
      const records = fetched.responses[0].partitions[0].records as Buffer;
      if (!records.includes(Buffer.from(value))) this.find("the control client did not read back its record", null);
    } catch (error) {
      this.find(`the control client failed: ${describe(error)}`, null);
    } finally {
      client?.close();
    }
  }

  /** The heap after a collection (when --expose-gc allows one); a finding over the bound. */
  checkHeap(): number {
    (globalThis as { gc?: () => void }).gc?.();
    const heapBytes = process.memoryUsage().heapUsed;
    this.heapBytesPeak = Math.max(this.heapBytesPeak, heapBytes);
    if (heapBytes > this.heapBytesMax) this.find(`the heap holds ${heapBytes} bytes, over ${this.heapBytesMax}`, null);
    return heapBytes;
  }

  /** Records acknowledged before fuzzing read back byte for byte. */
  async checkAcknowledged(): Promise<void> {
    const client = await RawClient.connect(this.node.port);
    try {
      const now = await readPartition(client, ACKNOWLEDGED_TOPIC, 0);
      const same = now.length === this.acknowledged.length && now.every((batch, i) => batch.equals(this.acknowledged[i]));
      if (!same) this.find("records acknowledged before fuzzing changed", null);
    } finally {
      client.close();
    }
  }

  /** An uncaught exception or unhandled rejection: blamed on the inputs that ran last. */
  processFailure(kind: string, error: unknown): void {
    this.find(`${kind}: ${describe(error)}`, this.recent.at(-1) ?? null);
  }

  private find(reason: string, input: WireInput | null): void {
    this.findings.push({ reason, input, logged: [...this.errorLines] });
  }

  async stop(): Promise<void> {
    await this.node.destroy();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function errorCodesOf(value: unknown, codes = new Set<number>()): Set<number> {
  if (Array.isArray(value)) for (const item of value) errorCodesOf(item, codes);
  else if (value !== null && typeof value === "object" && !Buffer.isBuffer(value))
    for (const [key, field] of Object.entries(value)) {
      if (key === "errorCode" && typeof field === "number") codes.add(field);
      else errorCodesOf(field, codes);
    }
  return codes;
}

function produceBody(topic: string, partition: number, records: Buffer) {
  return { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

function fetchBody(topic: string, partition: number, offset: bigint) {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 0, maxBytes: 64 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, topicId: Buffer.alloc(16), partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 64 << 20, replicaDirectoryId: Buffer.alloc(16) }] }],
    forgottenTopicsData: [], rackId: "",
  };
}

/** Every stored byte of a partition, fetched from offset 0 (one response is enough for the records acknowledged here). */
async function readPartition(client: RawClient, topic: string, partition: number): Promise<Buffer[]> {
  const fetched = await client.request(ApiKey.Fetch, 11, fetchBody(topic, partition, 0n));
  const result = fetched.responses[0].partitions[0];
  if (result.errorCode !== ErrorCode.NONE) throw new Error(`fetching ${topic}-${partition} failed with error ${result.errorCode}`);
  return [result.records as Buffer];
}

/** Writes a finding as a replayable file (the chunks as hex, one per line, after `#` comments); returns its path. */
export function writeFinding(dir: string, finding: Finding): string {
  mkdirSync(dir, { recursive: true });
  const chunks = finding.input?.chunks ?? [];
  const digest = createHash("sha256").update(finding.reason.split("\n")[0]).update(Buffer.concat(chunks)).digest("hex").slice(0, 12);
  const file = path.join(dir, `crash-${digest}.hex`);
  writeFileSync(file, formatWireInput(finding.input, [finding.reason, ...finding.logged.map((line) => `logged: ${line}`)]));
  return file;
}

/** `# ` comment lines, then `listener: NAME`, then one line of hex per chunk. */
export function formatWireInput(input: WireInput | null, comments: string[]): string {
  const lines = comments.flatMap((comment) => comment.split("\n")).map((line) => `# ${line}`);
  lines.push(`# label: ${input?.label ?? "none"}`, `listener: ${input?.listener ?? "PLAINTEXT"}`);
  for (const chunk of input?.chunks ?? []) lines.push(chunk.toString("hex"));
  return lines.join("\n") + "\n";
}

export function parseWireInput(text: string, label: string): WireInput {
  const lines = text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
  const listenerLine = lines.find((line) => line.startsWith("listener: "));
  const listener = listenerLine?.slice("listener: ".length).trim() === "SASL_PLAINTEXT" ? "SASL_PLAINTEXT" : "PLAINTEXT";
  const chunks = lines.filter((line) => !line.startsWith("listener: ")).map((line) => Buffer.from(line.trim(), "hex"));
  return { label, listener, chunks };
}
