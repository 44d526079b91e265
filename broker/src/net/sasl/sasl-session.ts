import type { SaslMechanism } from "../../config/broker-config";
import { ErrorCode } from "../../protocol/errors";
import { ApiKey, API_MESSAGES } from "../../protocol/generated/api-messages";
import type { Logger } from "../../runtime/logger";
import type { RandomBytes } from "../../runtime/random";
import { createMechanismServer, type MechanismServer, type SaslStep } from "./mechanisms";
import type { SaslUserStore } from "./user-store";

/** What every connection of one SASL_PLAINTEXT listener shares. */
export interface ListenerSasl {
  readonly listenerName: string;
  readonly mechanisms: readonly SaslMechanism[];
  readonly users: SaslUserStore;
  readonly random: RandomBytes;
  /** sasl.server.max.receive.size: the frame limit until the client has authenticated. */
  readonly receiveBytesMax: number;
  readonly logger: Logger;
}

/**
 * Kafka's server-side SASL states (SaslServerAuthenticator):
 * - handshake-or-versions: ApiVersions or SaslHandshake may come;
 * - handshake: ApiVersions was answered, only SaslHandshake may come;
 * - authenticate: the mechanism's tokens, in SaslAuthenticate requests after
 *   a v1 handshake (KIP-152) or as bare size-prefixed frames after v0 (KIP-43);
 * - authenticated: every API is served;
 * - failed: the connection closes once the failure response has gone out.
 */
export type SaslState =
  | { kind: "handshake-or-versions" }
  | { kind: "handshake" }
  | { kind: "authenticate"; server: MechanismServer; framing: "kafka" | "raw" }
  | { kind: "authenticated"; mechanism: SaslMechanism; username: string }
  | { kind: "failed"; reason: string };

interface AuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: bigint;
}

const apiName = (apiKey: number) => API_MESSAGES.get(apiKey)?.name ?? `api key ${apiKey}`;

/** The authentication of one connection on a SASL listener. */
export class SaslSession {
  state: SaslState = { kind: "handshake-or-versions" };

  constructor(
    readonly listener: ListenerSasl,
    private readonly connectionId: number,
  ) {}

  get authenticated(): boolean {
    return this.state.kind === "authenticated";
  }

  /** "User:<name>" once authenticated (Kafka's principal), else null. */
  get principal(): string | null {
    return this.state.kind === "authenticated" ? `User:${this.state.username}` : null;
  }

  /** Why authentication failed (the connection closes), or null. */
  get failure(): string | null {
    return this.state.kind === "failed" ? this.state.reason : null;
  }

  /** Null when a request of `apiKey` may be served now; otherwise why the connection must close. */
  refusal(apiKey: number): string | null {
    const state = this.state;
    switch (state.kind) {
      case "handshake-or-versions":
        return apiKey === ApiKey.ApiVersions || apiKey === ApiKey.SaslHandshake ? null : `${apiName(apiKey)} request before SASL authentication`;
      case "handshake":
        return apiKey === ApiKey.SaslHandshake ? null : `${apiName(apiKey)} request during the SASL handshake`;
      case "authenticate":
        return state.framing === "kafka" && apiKey === ApiKey.SaslAuthenticate ? null : `${apiName(apiKey)} request during SASL authentication`;
      case "authenticated":
        return null;
      case "failed":
        return state.reason;
    }
  }

  /** True while a SaslHandshake starts an authentication (there is no re-authentication here). */
  get awaitsHandshake(): boolean {
    return this.state.kind === "handshake-or-versions" || this.state.kind === "handshake";
  }

  /** A successful ApiVersions before the handshake: Kafka allows one. */
  apiVersionsAnswered(): void {
    if (this.state.kind === "handshake-or-versions") this.state = { kind: "handshake" };
  }

  /** SaslHandshake: v1 announces SaslAuthenticate requests, v0 bare tokens. An unknown mechanism fails the connection. */
  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[] } {
    if (!this.awaitsHandshake) throw new Error(`SaslHandshake in state ${this.state.kind}`);
    const mechanisms = [...this.listener.mechanisms];
    const chosen = this.listener.mechanisms.find((enabled) => enabled === mechanism);
    if (chosen === undefined) {
      this.state = { kind: "failed", reason: `unsupported SASL mechanism ${JSON.stringify(mechanism.slice(0, 64))} (enabled: ${mechanisms.join(", ")})` };
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    const server = createMechanismServer(chosen, this.listener.users, this.listener.random);
    this.state = { kind: "authenticate", server, framing: version >= 1 ? "kafka" : "raw" };
    return { errorCode: ErrorCode.NONE, mechanisms };
  }

  /** One SaslAuthenticate request. */
  authenticate(token: Buffer): AuthenticateResponse {
    const state = this.state;
    if (state.kind !== "authenticate" || state.framing !== "kafka") throw new Error(`SaslAuthenticate in state ${state.kind}`);
    const step = this.evaluate(state.server, token);
    if (step.kind === "failed")
      return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: step.message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    // A session lifetime of 0: connections.max.reauth.ms is not supported, so sessions never expire.
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.token, sessionLifetimeMs: 0n };
  }

  /** One bare token after a v0 handshake: the bare answer, or null when authentication failed (Kafka then just closes). */
  rawToken(token: Buffer): Buffer | null {
    const state = this.state;
    if (state.kind !== "authenticate" || state.framing !== "raw") throw new Error(`bare SASL token in state ${state.kind}`);
    const step = this.evaluate(state.server, token);
    return step.kind === "failed" ? null : step.token;
  }

  private evaluate(server: MechanismServer, token: Buffer): SaslStep {
    const step = server.evaluate(token);
    const fields = { connection: this.connectionId, listener: this.listener.listenerName, mechanism: server.mechanism };
    if (step.kind === "complete") {
      this.state = { kind: "authenticated", mechanism: server.mechanism, username: step.username };
      this.listener.logger.debug("SASL authentication succeeded", { ...fields, principal: this.principal });
    } else if (step.kind === "failed") {
      const user = step.username === null ? "" : ` as ${JSON.stringify(step.username.slice(0, 256))}`;
      this.state = { kind: "failed", reason: `SASL ${server.mechanism} authentication${user} failed: ${step.reason}` };
    }
    return step;
  }
}
