import "server-only";
import { randomBytes } from "node:crypto";
import type { SASLOptions } from "kafkajs";
import { ErrorCode } from "@sluice/protocol/errors";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { ApiVersionsResponse, SaslAuthenticateResponse, SaslHandshakeResponse } from "@sluice/protocol/messages";
import { encodePlainMessage } from "@sluice/protocol/sasl/plain";
import { ScramClient, ScramFormatError } from "@sluice/protocol/sasl/scram";

/** The mechanisms the raw protocol client speaks: the ones KAFKA_SASL_MECHANISM offers. */
export interface WireSasl {
  mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  username: string;
  password: string;
}

/** kafkajs's SASL options as the raw client takes them; other mechanisms (aws, oauthbearer) are not spoken here. */
export function wireSasl(options: SASLOptions): WireSasl {
  const mechanism = options.mechanism.toUpperCase();
  if (mechanism !== "PLAIN" && mechanism !== "SCRAM-SHA-256" && mechanism !== "SCRAM-SHA-512")
    throw new Error(`SASL mechanism ${options.mechanism} is not supported by the console's protocol client`);
  const { username, password } = options as { username: string; password: string };
  return { mechanism, username, password };
}

/** An authentication the broker refused; `type` is the Kafka error name, which the error adapter reports. */
export class SaslAuthenticationError extends Error {
  override readonly name = "SaslAuthenticationError";
  constructor(
    readonly type: "SASL_AUTHENTICATION_FAILED" | "UNSUPPORTED_SASL_MECHANISM" | "ILLEGAL_SASL_STATE",
    message: string,
  ) {
    super(message);
  }
}

/** One request on the connection being authenticated. */
export type Exchange = <T>(apiKey: number, version: number, body: unknown) => Promise<T>;

const ERROR_TYPES: Record<number, SaslAuthenticationError["type"]> = {
  [ErrorCode.UNSUPPORTED_SASL_MECHANISM]: "UNSUPPORTED_SASL_MECHANISM",
  [ErrorCode.ILLEGAL_SASL_STATE]: "ILLEGAL_SASL_STATE",
  [ErrorCode.SASL_AUTHENTICATION_FAILED]: "SASL_AUTHENTICATION_FAILED",
};
const errorType = (code: number) => ERROR_TYPES[code] ?? "SASL_AUTHENTICATION_FAILED";
const CLIENT_NONCE_BYTES = 24;

/**
 * Authenticates a fresh connection as Kafka's own clients do (KIP-152):
 * ApiVersions to learn the SaslAuthenticate versions, SaslHandshake v1, then
 * the mechanism's tokens in SaslAuthenticate v1 or v2 requests. Returns the
 * session lifetime the broker set (0: none; KIP-368).
 */
export async function authenticate(exchange: Exchange, sasl: WireSasl): Promise<{ sessionLifetimeMs: number }> {
  const versions = await exchange<ApiVersionsResponse>(ApiKey.ApiVersions, 0, { clientSoftwareName: "", clientSoftwareVersion: "" });
  const range = versions.apiKeys.find((api) => api.apiKey === ApiKey.SaslAuthenticate);
  if (versions.errorCode !== ErrorCode.NONE || !range || range.maxVersion < 1)
    throw new SaslAuthenticationError("ILLEGAL_SASL_STATE", "The broker does not offer SaslAuthenticate v1 or later (Kafka 2.2+)");
  const version = Math.min(range.maxVersion, 2);

  const handshake = await exchange<SaslHandshakeResponse>(ApiKey.SaslHandshake, 1, { mechanism: sasl.mechanism });
  if (handshake.errorCode !== ErrorCode.NONE)
    throw new SaslAuthenticationError(
      errorType(handshake.errorCode),
      `The broker does not accept SASL mechanism ${sasl.mechanism}; it offers ${handshake.mechanisms.join(", ") || "none"}`,
    );

  const step = async (token: Buffer | string) => {
    const response = await exchange<SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, version, { authBytes: Buffer.from(token) });
    if (response.errorCode !== ErrorCode.NONE)
      throw new SaslAuthenticationError(errorType(response.errorCode), response.errorMessage ?? `SASL ${sasl.mechanism} authentication failed`);
    return response;
  };

  if (sasl.mechanism === "PLAIN") {
    const done = await step(encodePlainMessage(sasl.username, sasl.password));
    return { sessionLifetimeMs: Number(done.sessionLifetimeMs) };
  }
  const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password, randomBytes(CLIENT_NONCE_BYTES).toString("base64url"));
  try {
    const first = await step(scram.firstMessage());
    const done = await step(scram.finalMessage(first.authBytes.toString("utf8")));
    scram.verifyServerFinal(done.authBytes.toString("utf8"));
    return { sessionLifetimeMs: Number(done.sessionLifetimeMs) };
  } catch (error) {
    if (error instanceof ScramFormatError) throw new SaslAuthenticationError("SASL_AUTHENTICATION_FAILED", `SASL ${sasl.mechanism}: ${error.message}`);
    throw error;
  }
}
