// ApiVersions (key 18), versions 0-4: the versions of every API this broker serves.
import { ErrorCode } from "../protocol/errors";
import { ApiKey, API_MESSAGES } from "../protocol/generated/api-messages";
import type { ApiVersionsRequest, ApiVersionsResponse } from "../protocol/generated";
import { defineHandler } from "./handler";
import type { ServedApi } from "./node-services";

/** Computed from the handler registry, clipped to what the generated codecs know. */
export function supportedApiVersions(handlers: ReadonlyMap<number, ServedApi>) {
  return [...handlers.values()]
    .sort((a, b) => a.apiKey - b.apiKey)
    .map((handler) => {
      const spec = API_MESSAGES.get(handler.apiKey)!;
      return {
        apiKey: handler.apiKey,
        minVersion: Math.max(handler.minVersion, spec.minVersion),
        maxVersion: Math.min(handler.maxVersion, spec.maxVersion),
      };
    });
}

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: ApiKey.ApiVersions,
  minVersion: 0,
  maxVersion: 4,
  handle(_request, { services, connection }) {
    // On a SASL listener, one ApiVersions may come before the handshake.
    connection.sasl?.apiVersionsAnswered();
    return {
      errorCode: ErrorCode.NONE,
      apiKeys: supportedApiVersions(services.handlers),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  },
});
