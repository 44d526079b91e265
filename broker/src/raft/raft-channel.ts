import { FrameDecoder } from "../protocol/frame-decoder";
import { API_MESSAGES, requestHeaderVersion, responseHeaderVersion } from "../protocol/generated/api-messages";
import { readResponseHeader, writeRequestHeader } from "../protocol/generated";
import { Reader } from "../protocol/reader";
import { Writer } from "../protocol/writer";
import type { Logger } from "../runtime/logger";
import type { Network, NetworkSocket } from "../runtime/network";
import type { Scheduler } from "../runtime/scheduler";
import type { Envelope } from "./messages";
import { requestApi, requestBody, responseMessage, type RaftRequest } from "./raft-wire";

/** A voter's controller listener, as controller.quorum.voters gives it. */
export interface PeerAddress {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

export interface RaftChannelOptions {
  readonly selfId: number;
  readonly clusterId: string;
  readonly peers: readonly PeerAddress[];
  readonly network: Network;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Each response, as the envelope the node expects (from the peer, with the node's own correlation id). */
  readonly deliver: (envelope: Envelope) => void;
  /** Wait after a failed connection before the next attempt. */
  readonly reconnectBackoffMs?: number;
  /** Requests awaiting an answer on one connection; more are dropped (the node sends again on its request timeout). */
  readonly inFlightMax?: number;
}

/** Largest response frame accepted from a peer. */
const FRAME_BYTES_MAX = 64 * 1024 * 1024;

/**
 * The quorum's outbound side: sends the requests the Raft node emits to the
 * voters over the controller listeners (one connection per peer, through
 * the network seam), and hands each answer back to the node. Nothing here
 * retries a request: a request lost with its connection goes unanswered, and
 * the node sends again when it sees fit, as it would over a lossy network.
 */
export class RaftChannel {
  private readonly peers = new Map<number, PeerConnection>();
  private closed = false;

  constructor(private readonly options: RaftChannelOptions) {
    for (const peer of options.peers) if (peer.id !== options.selfId) this.peers.set(peer.id, new PeerConnection(peer, options));
  }

  /** Sends a request; a response (a reply to a request that came over the wire) is not sent here. */
  send(envelope: Envelope): void {
    if (this.closed) return;
    const message = envelope.message;
    if (!message.kind.endsWith("Request")) return;
    const peer = this.peers.get(envelope.to);
    if (!peer) {
      this.options.logger.warn("raft message to a node that is not a voter dropped", { to: envelope.to, kind: message.kind });
      return;
    }
    peer.send(envelope, message as RaftRequest);
  }

  close(): void {
    this.closed = true;
    for (const peer of this.peers.values()) peer.close();
  }
}

interface InFlight {
  readonly envelope: Envelope;
  readonly request: RaftRequest;
  readonly apiKey: number;
  readonly version: number;
}

type ConnectionState =
  | { kind: "idle" }
  | { kind: "connecting"; queued: Buffer[] }
  | { kind: "connected"; socket: NetworkSocket }
  | { kind: "backoff"; untilMs: number }
  | { kind: "closed" };

class PeerConnection {
  private state: ConnectionState = { kind: "idle" };
  private readonly inFlight = new Map<number, InFlight>();
  private correlationSeq = 0;
  private failures = 0;

  constructor(
    private readonly peer: PeerAddress,
    private readonly options: RaftChannelOptions,
  ) {}

  send(envelope: Envelope, request: RaftRequest): void {
    if (this.state.kind === "closed") return;
    if (this.state.kind === "backoff") {
      if (this.options.scheduler.clock.nowMs() < this.state.untilMs) return;
      this.state = { kind: "idle" };
    }
    if (this.inFlight.size >= (this.options.inFlightMax ?? 256)) return;
    const { apiKey, version } = requestApi(request);
    const correlationId = (this.correlationSeq = (this.correlationSeq + 1) & 0x7fffffff);
    const writer = new Writer();
    writer.writeInt32(0);
    writeRequestHeader(writer, requestHeaderVersion(apiKey, version), { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId: `raft-${this.options.selfId}` });
    API_MESSAGES.get(apiKey)!.writeRequest(writer, version, requestBody(request, this.options.clusterId));
    const frame = writer.toBuffer();
    frame.writeInt32BE(frame.length - 4, 0);
    this.inFlight.set(correlationId, { envelope, request, apiKey, version });
    switch (this.state.kind) {
      case "connected":
        this.state.socket.write(frame);
        break;
      case "connecting":
        this.state.queued.push(frame);
        break;
      case "idle":
        this.connect([frame]);
        break;
    }
  }

  private connect(queued: Buffer[]): void {
    const state: ConnectionState = { kind: "connecting", queued };
    this.state = state;
    this.options.network.connect({ host: this.peer.host, port: this.peer.port }).then(
      (socket) => {
        if (this.state !== state) {
          socket.destroy();
          return;
        }
        this.failures = 0;
        this.state = { kind: "connected", socket };
        socket.setNoDelay(true);
        const frames = new FrameDecoder(FRAME_BYTES_MAX, "the Raft channel's frame limit");
        socket.on("data", (chunk) => this.received(socket, frames, chunk));
        socket.on("error", () => {});
        socket.on("close", () => this.lost(socket));
        for (const frame of state.queued) socket.write(frame);
      },
      (error: Error) => {
        if (this.state !== state) return;
        // Logged on the first failure of a run only: a voter that is down is dialled every backoff.
        if (this.failures++ === 0) this.options.logger.warn("cannot reach a voter", { voter: this.peer.id, address: `${this.peer.host}:${this.peer.port}`, error: error.message });
        this.inFlight.clear();
        this.state = { kind: "backoff", untilMs: this.options.scheduler.clock.nowMs() + (this.options.reconnectBackoffMs ?? 200) };
      },
    );
  }

  private lost(socket: NetworkSocket): void {
    if (this.state.kind !== "connected" || this.state.socket !== socket) return;
    this.inFlight.clear();
    this.state = { kind: "idle" };
  }

  private received(socket: NetworkSocket, frames: FrameDecoder, chunk: Buffer): void {
    let whole: Buffer[];
    try {
      whole = frames.push(chunk);
    } catch (error) {
      return this.unreadable(socket, (error as Error).message);
    }
    for (const frame of whole) {
      if (frame.length < 4) return this.unreadable(socket, `frame of ${frame.length} bytes, too short for a correlation id`);
      this.answer(socket, frame);
    }
  }

  private unreadable(socket: NetworkSocket, why: string): void {
    this.options.logger.warn("a voter sent a frame we cannot read; reconnecting", { voter: this.peer.id, why });
    socket.destroy();
  }

  private answer(socket: NetworkSocket, frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const sent = this.inFlight.get(correlationId);
    if (!sent) return;
    this.inFlight.delete(correlationId);
    let body: unknown;
    try {
      const reader = new Reader(frame);
      readResponseHeader(reader, responseHeaderVersion(sent.apiKey, sent.version));
      body = API_MESSAGES.get(sent.apiKey)!.readResponse(reader, sent.version);
    } catch (error) {
      this.options.logger.warn("a voter sent a response we cannot decode; reconnecting", { voter: this.peer.id, apiKey: sent.apiKey, error: (error as Error).message });
      socket.destroy();
      return;
    }
    const envelope = sent.envelope;
    this.options.deliver({ from: this.peer.id, to: this.options.selfId, correlationId: envelope.correlationId, message: responseMessage(sent.request, body) });
  }

  close(): void {
    const state = this.state;
    this.state = { kind: "closed" };
    this.inFlight.clear();
    if (state.kind === "connected") state.socket.end(() => state.socket.destroy());
  }
}
