import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";

/*
 * SCRAM (RFC 5802) with SHA-256 and SHA-512 (RFC 7677), as Kafka speaks it
 * (KIP-84): the four messages, their parsing, and the key arithmetic. Both
 * the broker (server side) and the console (client side) use it. Randomness
 * (nonces, salts) comes from the caller.
 */

export const SCRAM_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

const HASH: Record<ScramMechanism, { name: "sha256" | "sha512"; bytes: number }> = {
  "SCRAM-SHA-256": { name: "sha256", bytes: 32 },
  "SCRAM-SHA-512": { name: "sha512", bytes: 64 },
};

/** Kafka's bounds on the iteration count (ScramMechanism.minIterations/maxIterations). */
export const SCRAM_ITERATIONS_MIN = 4096;
export const SCRAM_ITERATIONS_MAX = 16384;

export class ScramFormatError extends Error {
  override readonly name = "ScramFormatError";
}

/** What a server keeps for one user: never the password, only these. */
export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

export const isScramMechanism = (mechanism: string): mechanism is ScramMechanism => (SCRAM_MECHANISMS as readonly string[]).includes(mechanism);

export function hmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(HASH[mechanism].name, key).update(data).digest();
}

export function digest(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(HASH[mechanism].name).update(data).digest();
}

/** SaltedPassword := Hi(password, salt, i), which is PBKDF2 with the mechanism's HMAC. */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const hash = HASH[mechanism];
  return pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, hash.bytes, hash.name);
}

export function clientKey(mechanism: ScramMechanism, salted: Buffer): Buffer {
  return hmac(mechanism, salted, "Client Key");
}

export function scramCredential(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): ScramCredential {
  const salted = saltedPassword(mechanism, password, salt, iterations);
  return {
    salt,
    iterations,
    storedKey: digest(mechanism, clientKey(mechanism, salted)),
    serverKey: hmac(mechanism, salted, "Server Key"),
  };
}

function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new Error("xor of buffers of different lengths");
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** AuthMessage := client-first-message-bare "," server-first-message "," client-final-message-without-proof */
export function authMessage(clientFirstBare: string, serverFirst: string, clientFinalWithoutProof: string): string {
  return `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
}

/** ClientProof := ClientKey XOR HMAC(StoredKey, AuthMessage) */
export function clientProof(mechanism: ScramMechanism, salted: Buffer, auth: string): Buffer {
  const key = clientKey(mechanism, salted);
  return xor(key, hmac(mechanism, digest(mechanism, key), auth));
}

/** True when the proof shows knowledge of the password behind `credential` (compared in constant time). */
export function verifyClientProof(mechanism: ScramMechanism, credential: ScramCredential, auth: string, proof: Buffer): boolean {
  const signature = hmac(mechanism, credential.storedKey, auth);
  if (proof.length !== signature.length) return false;
  return timingSafeEqual(digest(mechanism, xor(proof, signature)), credential.storedKey);
}

export function serverSignature(mechanism: ScramMechanism, serverKey: Buffer, auth: string): Buffer {
  return hmac(mechanism, serverKey, auth);
}

// ---------------------------------------------------------------------------
// Messages

/** saslname: "," and "=" travel as "=2C" and "=3D". */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

export function unescapeSaslName(text: string): string {
  if (/=(?!2C|3D)/.test(text)) throw new ScramFormatError("invalid escape in a user name");
  return text.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EXTENSION = /^[A-Za-z0-9]+=[^,]*$/;

function base64(text: string, what: string): Buffer {
  if (!BASE64.test(text)) throw new ScramFormatError(`${what} is not base64`);
  return Buffer.from(text, "base64");
}

function nonce(text: string): string {
  if (!PRINTABLE.test(text)) throw new ScramFormatError("invalid nonce");
  return text;
}

/** Splits `k=v` attributes, checking that each has the expected key in order. */
function attribute(part: string | undefined, key: string, what: string): string {
  if (part === undefined || !part.startsWith(`${key}=`)) throw new ScramFormatError(`${what}: expected ${key}=`);
  return part.slice(key.length + 1);
}

function extensions(parts: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of parts) {
    if (!EXTENSION.test(part)) throw new ScramFormatError("invalid extension");
    const eq = part.indexOf("=");
    map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

export interface ClientFirstMessage {
  /** "n,," or "n,a=<authzid>,": echoed (base64) in the final message's channel binding. */
  gs2Header: string;
  /** Empty when none was given. */
  authorizationId: string;
  username: string;
  nonce: string;
  /** Kafka's SCRAM extensions (tokenauth=true for delegation tokens). */
  extensions: Map<string, string>;
  bare: string;
}

export function parseClientFirstMessage(text: string): ClientFirstMessage {
  const first = text.indexOf(",");
  const second = first < 0 ? -1 : text.indexOf(",", first + 1);
  if (second < 0) throw new ScramFormatError("client-first-message: missing GS2 header");
  const flag = text.slice(0, first);
  if (flag !== "n") throw new ScramFormatError(flag === "y" || flag.startsWith("p=") ? "channel binding is not supported" : "invalid GS2 header");
  const authz = text.slice(first + 1, second);
  if (authz !== "" && !authz.startsWith("a=")) throw new ScramFormatError("invalid authorization id");
  const bare = text.slice(second + 1);
  const parts = bare.split(",");
  if (parts[0]?.startsWith("m=")) throw new ScramFormatError("mandatory extensions are not supported");
  const username = unescapeSaslName(attribute(parts[0], "n", "client-first-message"));
  if (username === "") throw new ScramFormatError("empty user name");
  return {
    gs2Header: text.slice(0, second + 1),
    authorizationId: authz === "" ? "" : unescapeSaslName(authz.slice(2)),
    username,
    nonce: nonce(attribute(parts[1], "r", "client-first-message")),
    extensions: extensions(parts.slice(2)),
    bare,
  };
}

export function formatClientFirstMessage(username: string, clientNonce: string): { message: string; bare: string; gs2Header: string } {
  const bare = `n=${escapeSaslName(username)},r=${clientNonce}`;
  return { message: `n,,${bare}`, bare, gs2Header: "n,," };
}

export interface ServerFirstMessage {
  nonce: string;
  salt: Buffer;
  iterations: number;
  text: string;
}

export function formatServerFirstMessage(combinedNonce: string, salt: Buffer, iterations: number): string {
  return `r=${combinedNonce},s=${salt.toString("base64")},i=${iterations}`;
}

export function parseServerFirstMessage(text: string): ServerFirstMessage {
  const parts = text.split(",");
  if (parts[0]?.startsWith("m=")) throw new ScramFormatError("mandatory extensions are not supported");
  const iterations = attribute(parts[2], "i", "server-first-message");
  if (!/^[1-9]\d{0,9}$/.test(iterations)) throw new ScramFormatError("server-first-message: invalid iteration count");
  extensions(parts.slice(3));
  return {
    nonce: nonce(attribute(parts[0], "r", "server-first-message")),
    salt: base64(attribute(parts[1], "s", "server-first-message"), "salt"),
    iterations: Number(iterations),
    text,
  };
}

export interface ClientFinalMessage {
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** The message up to ",p=": part of the AuthMessage. */
  withoutProof: string;
}

export function parseClientFinalMessage(text: string): ClientFinalMessage {
  const at = text.lastIndexOf(",p=");
  if (at < 0) throw new ScramFormatError("client-final-message: missing proof");
  const withoutProof = text.slice(0, at);
  const parts = withoutProof.split(",");
  const channelBinding = base64(attribute(parts[0], "c", "client-final-message"), "channel binding");
  const clientNonce = nonce(attribute(parts[1], "r", "client-final-message"));
  extensions(parts.slice(2));
  return { channelBinding, nonce: clientNonce, proof: base64(text.slice(at + 3), "proof"), withoutProof };
}

export function formatClientFinalWithoutProof(gs2Header: string, combinedNonce: string): string {
  return `c=${Buffer.from(gs2Header, "utf8").toString("base64")},r=${combinedNonce}`;
}

export function formatServerFinalMessage(signature: Buffer): string {
  return `v=${signature.toString("base64")}`;
}

/** `v=<signature>` or `e=<error>`. */
export function parseServerFinalMessage(text: string): { signature: Buffer } | { error: string } {
  const [first] = text.split(",");
  if (first?.startsWith("e=")) return { error: first.slice(2) };
  return { signature: base64(attribute(first, "v", "server-final-message"), "server signature") };
}

// ---------------------------------------------------------------------------
// The client side

/** One client exchange: first message, final message, server signature check. Throws ScramFormatError on a bad server. */
export class ScramClient {
  private readonly first: { message: string; bare: string; gs2Header: string };
  private expectedServerSignature: Buffer | null = null;

  constructor(
    readonly mechanism: ScramMechanism,
    username: string,
    private readonly password: string,
    private readonly clientNonce: string,
  ) {
    if (!PRINTABLE.test(clientNonce)) throw new Error("a SCRAM nonce must be printable ASCII without commas");
    this.first = formatClientFirstMessage(username, clientNonce);
  }

  firstMessage(): string {
    return this.first.message;
  }

  finalMessage(serverFirstText: string): string {
    const serverFirst = parseServerFirstMessage(serverFirstText);
    if (!serverFirst.nonce.startsWith(this.clientNonce) || serverFirst.nonce.length === this.clientNonce.length)
      throw new ScramFormatError("the server nonce does not extend the client nonce");
    if (serverFirst.iterations < SCRAM_ITERATIONS_MIN || serverFirst.iterations > SCRAM_ITERATIONS_MAX)
      throw new ScramFormatError(`the server asks for ${serverFirst.iterations} iterations, outside ${SCRAM_ITERATIONS_MIN}-${SCRAM_ITERATIONS_MAX}`);
    const salted = saltedPassword(this.mechanism, this.password, serverFirst.salt, serverFirst.iterations);
    const withoutProof = formatClientFinalWithoutProof(this.first.gs2Header, serverFirst.nonce);
    const auth = authMessage(this.first.bare, serverFirst.text, withoutProof);
    this.expectedServerSignature = serverSignature(this.mechanism, hmac(this.mechanism, salted, "Server Key"), auth);
    return `${withoutProof},p=${clientProof(this.mechanism, salted, auth).toString("base64")}`;
  }

  verifyServerFinal(text: string): void {
    if (this.expectedServerSignature === null) throw new Error("verifyServerFinal before finalMessage");
    const final = parseServerFinalMessage(text);
    if ("error" in final) throw new ScramFormatError(`the server refused the proof: ${final.error}`);
    const expected = this.expectedServerSignature;
    if (final.signature.length !== expected.length || !timingSafeEqual(final.signature, expected))
      throw new ScramFormatError("the server signature is wrong: the server does not know this user's credentials");
  }
}
