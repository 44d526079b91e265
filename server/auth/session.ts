import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ConsoleConfig } from "../config/schema";

/** The cookie that carries a session: `<payload>.<HMAC-SHA256 of it>`, both base64url. */
export const SESSION_COOKIE = "sluice_session";

export interface Session {
  user: string;
  /** The roles of a single sign-on user, mapped from the provider's groups at login; absent for a local user (roles from the configuration). */
  roles?: string[];
  /** Issued and expires, in ms since the epoch. */
  issuedAtMs: number;
  expiresAtMs: number;
}

const SECRET_FILE = "session-secret";

// Read once per process; the route handlers and the middleware each have their copy, from the same source.
const cache = globalThis as unknown as { __sluiceSessionSecret?: { key: string; secret: Buffer } };

/**
 * The key that signs sessions: auth.sessionSecret from the configuration, or
 * SLUICE_SESSION_SECRET, or else a random one made on first use and kept in
 * the data directory (mode 0600) so sessions survive a restart.
 */
export function sessionSecret(config: ConsoleConfig, env: NodeJS.ProcessEnv = process.env): Buffer {
  const dataDir = path.resolve(env.SLUICE_DATA_DIR || ".sluice");
  const configured = config.auth.sessionSecret ?? env.SLUICE_SESSION_SECRET;
  const key = configured ? `value:${configured}` : `file:${dataDir}`;
  if (cache.__sluiceSessionSecret?.key === key) return cache.__sluiceSessionSecret.secret;
  let secret: Buffer;
  if (configured) secret = Buffer.from(configured, "utf8");
  else {
    const file = path.join(dataDir, SECRET_FILE);
    try {
      secret = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
      if (secret.length < 32) throw new Error("short");
    } catch {
      mkdirSync(dataDir, { recursive: true });
      secret = randomBytes(32);
      // wx: when two processes race, the second one fails here and reads the first one's secret.
      try {
        writeFileSync(file, secret.toString("base64"), { mode: 0o600, flag: "wx" });
        chmodSync(file, 0o600);
      } catch {
        secret = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
      }
    }
  }
  cache.__sluiceSessionSecret = { key, secret };
  return secret;
}

export const sign = (payload: string, secret: Buffer) => createHmac("sha256", secret).update(payload).digest("base64url");

export function encodeSession(session: Session, secret: Buffer): string {
  const payload = Buffer.from(JSON.stringify({ u: session.user, iat: session.issuedAtMs, exp: session.expiresAtMs, ...(session.roles ? { r: session.roles } : {}) })).toString("base64url");
  return `${payload}.${sign(payload, secret)}`;
}

/** The session a cookie value carries, or null when it is malformed, forged or expired. */
export function decodeSession(value: string | undefined, secret: Buffer, nowMs: number): Session | null {
  if (!value || value.length > 4096) return null;
  const dot = value.indexOf(".");
  if (dot <= 0) return null;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), "base64url");
  const expected = Buffer.from(sign(payload, secret), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const { u, iat, exp, r } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof u !== "string" || typeof iat !== "number" || typeof exp !== "number" || exp <= nowMs) return null;
    if (r !== undefined && !(Array.isArray(r) && r.every((x) => typeof x === "string"))) return null;
    return { user: u, issuedAtMs: iat, expiresAtMs: exp, ...(r ? { roles: r } : {}) };
  } catch {
    return null;
  }
}

/** The Set-Cookie value of a session: http-only, SameSite=Lax, Secure when served over https, expiring with it. */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export const clearedSessionCookie = (secure: boolean) => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
