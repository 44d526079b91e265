// SaslHandshake (key 17), versions 0-1: the client names its SASL mechanism.
// v1 (KIP-152) is followed by SaslAuthenticate requests, v0 (KIP-43) by bare
// size-prefixed tokens; see net/sasl/sasl-session.ts for the states.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { SaslHandshakeRequest, SaslHandshakeResponse } from "../protocol/generated";
import { defineHandler } from "./handler";

export const saslHandshakeHandler = defineHandler<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: ApiKey.SaslHandshake,
  minVersion: 0,
  maxVersion: 1,
  handle(request, { connection, apiVersion }) {
    const sasl = connection.sasl;
    // On a PLAINTEXT listener, or once authenticated (no re-authentication here), Kafka answers ILLEGAL_SASL_STATE.
    if (sasl === null || !sasl.awaitsHandshake) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    return sasl.handshake(request.mechanism, apiVersion);
  },
});
