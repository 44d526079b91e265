import net from "node:net";
import type { Logger } from "../runtime/logger";
import { Connection, type ConnectionLimits, type RequestDispatcher } from "./connection";
import { SaslSession, type ListenerSasl } from "./sasl/sasl-session";

export interface ListenerSpec {
  name: string;
  /** Empty means every interface. */
  host: string;
  port: number;
  /** Set on a SASL_PLAINTEXT listener: its clients authenticate before anything else. */
  sasl?: ListenerSasl;
}

/** One TCP server per configured listener, all feeding the same dispatcher. */
export class SocketServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  /** The ports actually bound, by listener name (port 0 in the config binds a free one). */
  readonly boundPorts = new Map<string, number>();

  constructor(
    private readonly dispatcher: RequestDispatcher,
    private readonly limits: ConnectionLimits,
    private readonly logger: Logger,
  ) {}

  async listen(listeners: readonly ListenerSpec[]): Promise<void> {
    for (const listener of listeners) {
      const server = net.createServer((socket) => this.accept(socket, listener));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: listener.host || undefined, port: listener.port }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : listener.port;
      this.boundPorts.set(listener.name, port);
      this.servers.push(server);
      this.logger.info("listening", {
        listener: listener.name,
        host: listener.host || "0.0.0.0",
        port,
        ...(listener.sasl ? { saslMechanisms: listener.sasl.mechanisms } : {}),
      });
    }
  }

  private accept(socket: net.Socket, listener: ListenerSpec): void {
    const id = this.nextConnectionId++;
    const info = {
      id,
      listenerName: listener.name,
      remoteAddress: socket.remoteAddress ?? "?",
      remotePort: socket.remotePort ?? 0,
      sasl: listener.sasl ? new SaslSession(listener.sasl, id) : null,
    };
    const connection = new Connection(socket, info, this.dispatcher, this.limits, this.logger, (closed) =>
      this.connections.delete(closed),
    );
    this.connections.add(connection);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes everything. */
  async close(graceMs = 5000): Promise<void> {
    const stopped = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    const drained = Promise.all([...this.connections].map((connection) => connection.drainAndClose()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const connection of this.connections) connection.socket.destroy();
    await Promise.all(stopped);
  }
}
