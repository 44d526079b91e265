import "server-only";
import * as client from "openid-client";
import type { ConsoleConfig, OidcConfig } from "../config/schema";
import { ServiceError } from "../kafka/errors";
import { decodeSession, encodeSession, readCookie, sessionSecret, sign } from "./session";

/** The short-lived cookie that carries the PKCE verifier, state and nonce from the start of a login to its callback. */
export const OIDC_COOKIE = "sluice_oidc";
const FLOW_MS_MAX = 10 * 60_000;

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
  expiresAtMs: number;
}

// One discovery per issuer and process (the provider's metadata and keys).
const cache = globalThis as unknown as { __sluiceOidc?: Map<string, Promise<client.Configuration>> };

function providerConfig(oidc: OidcConfig): Promise<client.Configuration> {
  const configs = (cache.__sluiceOidc ??= new Map());
  const key = `${oidc.issuer}\n${oidc.clientId}`;
  let found = configs.get(key);
  if (!found) {
    found = client.discovery(new URL(oidc.issuer), oidc.clientId, oidc.clientSecret, undefined, oidc.allowInsecureRequests ? { execute: [client.allowInsecureRequests] } : undefined);
    found.catch(() => configs.delete(key));
    configs.set(key, found);
  }
  return found;
}

const flowCookieValue = (flow: Flow, secret: Buffer) => {
  const payload = Buffer.from(JSON.stringify(flow)).toString("base64url");
  return `${payload}.${sign(`oidc:${payload}`, secret)}`;
};

function readFlow(value: string | undefined, secret: Buffer, nowMs: number): Flow | null {
  if (!value) return null;
  const [payload, signature] = value.split(".");
  if (!payload || !signature || sign(`oidc:${payload}`, secret) !== signature) return null;
  try {
    const flow = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Flow;
    return flow.expiresAtMs > nowMs ? flow : null;
  } catch {
    return null;
  }
}

function oidcOf(config: ConsoleConfig): OidcConfig {
  if (!config.oidc) throw new ServiceError("NOT_FOUND", "single sign-on is not configured (oidc in the configuration)");
  return config.oidc;
}

/** Where to send the browser to log in at the provider, and the cookie that remembers this attempt. */
export async function startLogin(config: ConsoleConfig, next: string, nowMs = Date.now()): Promise<{ location: string; cookie: string }> {
  const oidc = oidcOf(config);
  const provider = await providerConfig(oidc);
  const flow: Flow = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce(), next, expiresAtMs: nowMs + FLOW_MS_MAX };
  const location = client.buildAuthorizationUrl(provider, {
    redirect_uri: oidc.redirectUri,
    scope: oidc.scopes.join(" "),
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
  return { location: location.href, cookie: flowCookieValue(flow, sessionSecret(config)) };
}

/** The console roles of a provider user: every role its groups map to. */
export function rolesOfGroups(oidc: OidcConfig, groups: unknown): string[] {
  const list = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : typeof groups === "string" ? [groups] : [];
  return [...new Set(list.flatMap((g) => oidc.groupRoles[g] ?? []))];
}

/**
 * Completes a login at the callback: exchanges the code (checking state,
 * nonce and PKCE), reads the user and their groups from the ID token, and
 * returns the session cookie's value with the roles the groups map to.
 */
export async function finishLogin(
  config: ConsoleConfig,
  callbackQuery: string,
  cookieHeader: string | null,
  nowMs = Date.now(),
): Promise<{ user: string; roles: string[]; next: string; sessionValue: string; maxAgeSeconds: number }> {
  const oidc = oidcOf(config);
  const secret = sessionSecret(config);
  const flow = readFlow(readCookie(cookieHeader, OIDC_COOKIE), secret, nowMs);
  if (!flow) throw new ServiceError("INVALID_INPUT", "this single sign-on attempt is unknown or expired: start the login again");
  const provider = await providerConfig(oidc);
  const current = new URL(oidc.redirectUri);
  current.search = callbackQuery;
  let claims: Record<string, unknown> | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(provider, current, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
    claims = tokens.claims() as Record<string, unknown> | undefined;
  } catch (error) {
    const refused = new ServiceError("INVALID_INPUT", `the single sign-on provider's answer was refused: ${(error as Error).message}`);
    throw Object.assign(refused, { cause: error });
  }
  if (!claims) throw new ServiceError("INVALID_INPUT", "the provider sent no ID token");
  const named = claims[oidc.usernameClaim];
  const user = typeof named === "string" && named ? named : String(claims.sub);
  const roles = rolesOfGroups(oidc, claims[oidc.groupsClaim]);
  const maxAgeSeconds = config.auth.sessionTtlMinutes * 60;
  const sessionValue = encodeSession({ user, roles, issuedAtMs: nowMs, expiresAtMs: nowMs + maxAgeSeconds * 1000 }, secret);
  // A session the console itself would refuse is a bug here, not a login.
  if (!decodeSession(sessionValue, secret, nowMs)) throw new Error("a fresh single sign-on session does not decode");
  return { user, roles, next: flow.next, sessionValue, maxAgeSeconds };
}
