// SaslAuthenticate (key 36), versions 0-2: one SASL token each way, after a
// v1 SaslHandshake. A failure answers SASL_AUTHENTICATION_FAILED and closes
// the connection (the dispatcher sees the session's failed state).
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const saslAuthenticateHandler = defineHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: ApiKey.SaslAuthenticate,
  minVersion: 0,
  maxVersion: 2,
  handle(request, { connection }) {
    const sasl = connection.sasl;
    if (sasl === null || sasl.state.kind !== "authenticate")
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: sasl === null ? "SaslAuthenticate request received on a listener without SASL" : "SaslAuthenticate request received after successful authentication",
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      };
    return sasl.authenticate(request.authBytes);
  },
});
