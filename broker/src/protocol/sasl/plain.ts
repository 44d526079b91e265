/**
 * SASL/PLAIN (RFC 4616): one client message, `[authzid] NUL authcid NUL
 * passwd` in UTF-8, and an empty server answer.
 */
export interface PlainCredentials {
  /** Empty when the client asks to act as itself. */
  authorizationId: string;
  username: string;
  password: string;
}

/** Splits the client message; a wrong shape comes back as Kafka's error text. */
export function parsePlainMessage(token: Buffer): { ok: true; credentials: PlainCredentials } | { ok: false; error: string } {
  const parts = token.toString("utf8").split("\0");
  if (parts.length !== 3) return { ok: false, error: `Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}` };
  const [authorizationId, username, password] = parts;
  return { ok: true, credentials: { authorizationId, username, password } };
}

export function encodePlainMessage(username: string, password: string, authorizationId = ""): Buffer {
  return Buffer.from(`${authorizationId}\0${username}\0${password}`, "utf8");
}
