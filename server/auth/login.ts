import "server-only";
import { z } from "zod";
import { consoleConfig } from "../config/load";
import { ServiceError } from "../kafka/errors";
import { decoyHash, verifyPassword } from "./password";
import { LoginRateLimit } from "./rate-limit";
import { encodeSession, sessionSecret } from "./session";

export const loginInputSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
export type LoginInput = z.infer<typeof loginInputSchema>;

export type LoginOutcome =
  | { kind: "ok"; user: string; cookieValue: string; maxAgeSeconds: number }
  | { kind: "wrong"; message: string }
  | { kind: "limited"; retryAfterSeconds: number; message: string };

const globalLimit = globalThis as unknown as { __sluiceLoginLimit?: LoginRateLimit };
export const loginRateLimit = () => (globalLimit.__sluiceLoginLimit ??= new LoginRateLimit());

/**
 * Checks a user name and password against the configuration's users. A wrong
 * name takes as long as a wrong password (a decoy hash), and both get the
 * same answer. Failures count per address and name (see rate-limit.ts).
 */
export async function logIn(input: LoginInput, address: string, nowMs = Date.now(), limit = loginRateLimit()): Promise<LoginOutcome> {
  const config = consoleConfig();
  if (config.users.length === 0) throw new ServiceError("NOT_FOUND", "this console has no users configured: there is nothing to log in to");
  const retryAfterSeconds = limit.retryAfterSeconds(address, input.username, nowMs);
  if (retryAfterSeconds > 0) return { kind: "limited", retryAfterSeconds, message: `too many failed logins for '${input.username}' from this address; try again in ${retryAfterSeconds} s` };
  const user = config.users.find((u) => u.username === input.username);
  const matches = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !matches) {
    limit.fail(address, input.username, nowMs);
    return { kind: "wrong", message: "wrong user name or password" };
  }
  limit.succeed(address, input.username);
  const maxAgeSeconds = config.auth.sessionTtlMinutes * 60;
  const expiresAtMs = nowMs + maxAgeSeconds * 1000;
  return { kind: "ok", user: user.username, maxAgeSeconds, cookieValue: encodeSession({ user: user.username, issuedAtMs: nowMs, expiresAtMs }, sessionSecret(config)) };
}
