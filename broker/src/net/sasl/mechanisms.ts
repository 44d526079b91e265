import type { SaslMechanism } from "../../config/broker-config";
import { parsePlainMessage } from "../../protocol/sasl/plain";
import {
  authMessage,
  formatServerFinalMessage,
  formatServerFirstMessage,
  parseClientFinalMessage,
  parseClientFirstMessage,
  ScramFormatError,
  serverSignature,
  verifyClientProof,
  type ClientFirstMessage,
  type ScramCredential,
  type ScramMechanism,
} from "../../protocol/sasl/scram";
import type { RandomBytes } from "../../runtime/random";
import type { SaslUserStore } from "./user-store";

/** The outcome of one client token. */
export type SaslStep =
  | { kind: "challenge"; token: Buffer }
  | { kind: "complete"; token: Buffer; username: string }
  /** `message` goes to the client; `reason` to the broker log. Neither holds a password. */
  | { kind: "failed"; message: string; reason: string; username: string | null };

/** The server side of one mechanism, for one authentication. */
export interface MechanismServer {
  readonly mechanism: SaslMechanism;
  evaluate(token: Buffer): SaslStep;
}

export function createMechanismServer(mechanism: SaslMechanism, users: SaslUserStore, random: RandomBytes): MechanismServer {
  switch (mechanism) {
    case "PLAIN":
      return new PlainServer(users);
    case "SCRAM-SHA-256":
    case "SCRAM-SHA-512":
      return new ScramServer(mechanism, users, random);
    default: {
      const unreachable: never = mechanism;
      throw new Error(`no server for mechanism ${String(unreachable)}`);
    }
  }
}

/** RFC 4616, with Kafka's error messages (PlainSaslServer). */
class PlainServer implements MechanismServer {
  readonly mechanism = "PLAIN";
  private done = false;

  constructor(private readonly users: SaslUserStore) {}

  evaluate(token: Buffer): SaslStep {
    const fail = (message: string, username: string | null = null): SaslStep => ({ kind: "failed", message, reason: message, username });
    if (this.done) return fail("Authentication failed: unexpected token after authentication completed");
    this.done = true;
    const parsed = parsePlainMessage(token);
    if (!parsed.ok) return fail(parsed.error);
    const { authorizationId, username, password } = parsed.credentials;
    if (username === "") return fail("Authentication failed: username not specified");
    if (password === "") return fail("Authentication failed: password not specified", username);
    if (authorizationId !== "" && authorizationId !== username)
      return fail("Authentication failed: Client requested an authorization id that is different from username", username);
    if (!this.users.checkPlain(username, password)) return fail("Authentication failed: Invalid username or password", username);
    return { kind: "complete", token: Buffer.alloc(0), username };
  }
}

type ScramState =
  | { kind: "client-first" }
  | { kind: "client-final"; first: ClientFirstMessage; serverFirst: string; nonce: string; credential: ScramCredential; known: boolean }
  | { kind: "done" };

const SERVER_NONCE_BYTES = 18;

/**
 * RFC 5802 server. As in Kafka (SaslServerAuthenticator), the client is
 * told only that its credentials were invalid; the log says why.
 */
class ScramServer implements MechanismServer {
  private state: ScramState = { kind: "client-first" };

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly users: SaslUserStore,
    private readonly random: RandomBytes,
  ) {}

  private fail(reason: string, username: string | null): SaslStep {
    this.state = { kind: "done" };
    return {
      kind: "failed",
      message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`,
      reason,
      username,
    };
  }

  evaluate(token: Buffer): SaslStep {
    try {
      return this.step(token.toString("utf8"));
    } catch (error) {
      if (error instanceof ScramFormatError) return this.fail(`malformed SCRAM message: ${error.message}`, this.state.kind === "client-final" ? this.state.first.username : null);
      throw error;
    }
  }

  private step(text: string): SaslStep {
    const state = this.state;
    switch (state.kind) {
      case "client-first": {
        const first = parseClientFirstMessage(text);
        if (first.authorizationId !== "" && first.authorizationId !== first.username)
          return this.fail("the authorization id differs from the user name", first.username);
        if (first.extensions.get("tokenauth") === "true") return this.fail("delegation tokens are not supported", first.username);
        const { credential, known } = this.users.scramCredential(this.mechanism, first.username);
        const nonce = first.nonce + this.random(SERVER_NONCE_BYTES).toString("base64url");
        const serverFirst = formatServerFirstMessage(nonce, credential.salt, credential.iterations);
        this.state = { kind: "client-final", first, serverFirst, nonce, credential, known };
        return { kind: "challenge", token: Buffer.from(serverFirst, "utf8") };
      }
      case "client-final": {
        const username = state.first.username;
        const final = parseClientFinalMessage(text);
        // RFC 5802 wants the combined nonce echoed exactly. librdkafka before 2.11 prefixes its own nonce
        // once more, which Kafka accepted until 4.0 by checking only the end: so do we. The proof still
        // covers the message as sent.
        if (!final.nonce.endsWith(state.nonce)) return this.fail("the final message does not carry the nonce of the exchange", username);
        if (!final.channelBinding.equals(Buffer.from(state.first.gs2Header, "utf8")))
          return this.fail("the channel binding does not match the GS2 header", username);
        const auth = authMessage(state.first.bare, state.serverFirst, final.withoutProof);
        const proven = verifyClientProof(this.mechanism, state.credential, auth, final.proof);
        if (!proven || !state.known) return this.fail(state.known ? "wrong password" : "unknown user", username);
        this.state = { kind: "done" };
        return { kind: "complete", token: Buffer.from(formatServerFinalMessage(serverSignature(this.mechanism, state.credential.serverKey, auth)), "utf8"), username };
      }
      case "done":
        return this.fail("unexpected token after the exchange ended", null);
    }
  }
}
