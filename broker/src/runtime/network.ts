import dns from "node:dns/promises";
import net from "node:net";

/**
 * The network as the broker sees it: listening for connections, dialling
 * out, and resolving host names. The real one is node:net; the simulator
 * (broker/sim/) puts in-memory connections with seeded delays and resets in
 * its place, so that a node run under it touches no real socket.
 */
export interface Network {
  /** Binds a listening socket; `onConnection` gets each accepted connection. Rejects when the address cannot be bound. */
  listen(address: ListenAddress, onConnection: (socket: NetworkSocket) => void): Promise<NetworkServer>;
  /** Opens a connection; rejects when it is refused. */
  connect(address: { host: string; port: number }): Promise<NetworkSocket>;
  /** Every address `host` resolves to (max.connections.per.ip.overrides names hosts). */
  lookup(host: string): Promise<string[]>;
}

export interface ListenAddress {
  /** Undefined means every interface. */
  host: string | undefined;
  /** 0 binds a free port. */
  port: number;
}

export interface NetworkServer {
  /** The port actually bound. */
  readonly port: number;
  /** Stops accepting; resolves once the listening socket is closed (connections already accepted stay open). */
  close(): Promise<void>;
}

/**
 * The slice of a node:net Socket that connections use: a byte stream with
 * flow control ("drain", pause/resume), corking, and "data", "error" and
 * "close" events. A node:net Socket is one as it is.
 */
export interface NetworkSocket {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /** Bytes written and not yet handed to the operating system (or, simulated, not yet delivered). */
  readonly writableLength: number;
  setNoDelay(noDelay?: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "close" | "drain", listener: () => void): unknown;
  off(event: "close" | "drain", listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
  cork(): void;
  uncork(): void;
  /** False when the caller should wait for "drain" before writing more. */
  write(chunk: Uint8Array): boolean;
  /** Half-closes after the bytes written so far; `callback` runs once they are flushed. */
  end(callback?: () => void): unknown;
  destroy(): unknown;
}

export const nodeNetwork: Network = {
  async listen(address, onConnection) {
    const server = net.createServer((socket) => onConnection(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: address.host, port: address.port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const bound = server.address();
    return {
      port: typeof bound === "object" && bound ? bound.port : address.port,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
  connect(address) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address.host, port: address.port }, () => {
        socket.off("error", reject);
        resolve(socket);
      });
      socket.once("error", reject);
    });
  },
  async lookup(host) {
    return (await dns.lookup(host, { all: true })).map(({ address }) => address);
  },
};

/** Whether `text` is an IPv4 or IPv6 address literal (not a host name). */
export function isIpAddress(text: string): boolean {
  return net.isIP(text) !== 0;
}
