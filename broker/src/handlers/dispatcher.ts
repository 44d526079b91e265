import type { NodeServices } from "./node-services";
import type { ConnectionInfo, DispatchResult, RequestDispatcher } from "../net/connection";
import { ErrorCode, ProtocolError } from "../protocol/errors";
import { ApiKey, API_MESSAGES, requestHeaderVersion, responseHeaderVersion, type ApiMessageSpec } from "../protocol/generated/api-messages";
import { readRequestHeader, writeResponseHeader } from "../protocol/generated";
import { writeApiVersionsResponse } from "../protocol/generated";
import { Reader } from "../protocol/reader";
import { Writer } from "../protocol/writer";
import type { Logger } from "../runtime/logger";
import type { UnexpectedErrors, UnexpectedErrorSource } from "../runtime/unexpected-errors";
import type { SaslSession } from "../net/sasl/sasl-session";
import type { ApiHandler } from "./handler";
import type { RequestMetrics } from "../metrics/node-metrics";
import { supportedApiVersions } from "./18-api-versions";

/**
 * Turns a request frame into a response frame: header, version check, body
 * decoding, the handler, and encoding. A frame that cannot be served closes
 * its connection with a log line saying why; other connections go on. On a
 * SASL listener, frames before authentication go through the connection's
 * SaslSession first, as in Kafka's SaslServerAuthenticator.
 *
 * An error the handlers did not turn into an error code (a bug: a throw, a
 * rejection, a response that does not encode) closes only its connection; it
 * is logged with the request's api, version and client id and counted in
 * `errors`. Nothing a request does can throw out of dispatch or reject.
 */
export class Dispatcher implements RequestDispatcher {
  constructor(
    private readonly handlers: ReadonlyMap<number, ApiHandler>,
    private readonly services: NodeServices,
    private readonly logger: Logger,
    private readonly errors: UnexpectedErrors,
    /** Counts and times each request served (kafka.network RequestMetrics); none when not given. */
    private readonly metrics: RequestMetrics | null = null,
  ) {}

  dispatch(frame: Buffer, connection: ConnectionInfo): DispatchResult | Promise<DispatchResult> {
    try {
      const sasl = connection.sasl;
      if (sasl !== null && !sasl.authenticated) return this.dispatchUnauthenticated(frame, connection, sasl);
      return this.dispatchRequest(frame, connection);
    } catch (error) {
      // Each step below contains its own errors; this is for the ones between them.
      return this.failed("request", error, connection, frame.length >= 4 ? { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2) } : {});
    }
  }

  unexpectedError(error: unknown, connection: ConnectionInfo, fields: Record<string, unknown>): void {
    this.report("connection", error, connection, fields);
  }

  private report(source: UnexpectedErrorSource, error: unknown, connection: ConnectionInfo, fields: Record<string, unknown>): void {
    reportUnexpectedError(this.logger, this.errors, source, error, connection, fields);
  }

  /** Reports an unexpected error of one request and closes its connection. */
  private failed(source: UnexpectedErrorSource, error: unknown, connection: ConnectionInfo, fields: Record<string, unknown>): DispatchResult {
    this.report(source, error, connection, fields);
    return { kind: "close", reason: "internal error", fields };
  }

  /**
   * Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate
   * are served (or bare tokens after a v0 handshake); anything else closes the
   * connection, and so does a failed authentication once its answer is sent.
   */
  private dispatchUnauthenticated(frame: Buffer, connection: ConnectionInfo, sasl: SaslSession): DispatchResult | Promise<DispatchResult> {
    if (sasl.state.kind === "authenticate" && sasl.state.framing === "raw") {
      let answer: Buffer | null;
      try {
        answer = sasl.rawToken(frame);
      } catch (error) {
        return this.failed("request", error, connection, { request: "SASL token after a v0 SaslHandshake", mechanism: sasl.state.server.mechanism });
      }
      return answer === null ? { kind: "close", reason: sasl.failure ?? "SASL authentication failed" } : { kind: "respond", chunks: [answer] };
    }
    if (frame.length < 8) return { kind: "close", reason: `request frame of ${frame.length} bytes is shorter than a header` };
    const refusal = sasl.refusal(frame.readInt16BE(0));
    if (refusal !== null) return { kind: "close", reason: refusal };
    const afterwards = (result: DispatchResult): DispatchResult => {
      const failure = sasl.failure;
      return failure === null || result.kind !== "respond" ? result : { kind: "respond-and-close", chunks: result.chunks, reason: failure };
    };
    const result = this.dispatchRequest(frame, connection);
    return result instanceof Promise ? result.then(afterwards) : afterwards(result);
  }

  private dispatchRequest(frame: Buffer, connection: ConnectionInfo): DispatchResult | Promise<DispatchResult> {
    if (frame.length < 8) return { kind: "close", reason: `request frame of ${frame.length} bytes is shorter than a header` };
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const spec = API_MESSAGES.get(apiKey);
    const handler = this.handlers.get(apiKey);
    if (!spec || !handler) return { kind: "close", reason: `unknown or unsupported api key ${apiKey}`, fields: { apiVersion } };
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) return this.unsupportedApiVersions(correlationId);
      return {
        kind: "close",
        reason: `unsupported version ${apiVersion} of ${spec.name} (supported ${handler.minVersion}-${handler.maxVersion})`,
      };
    }

    let request: unknown;
    let clientId: string | null;
    try {
      const reader = new Reader(frame);
      clientId = readRequestHeader(reader, requestHeaderVersion(apiKey, apiVersion)).clientId;
      request = spec.readRequest(reader, apiVersion);
    } catch (error) {
      if (error instanceof ProtocolError)
        return { kind: "close", reason: `malformed ${spec.name} v${apiVersion} request: ${error.message}`, fields: { correlationId } };
      // The codecs report malformed bytes as ProtocolErrors; anything else is a bug in them.
      return this.failed("request", error, connection, { apiKey, api: spec.name, apiVersion, correlationId });
    }

    const context = { services: this.services, apiVersion, correlationId, clientId, connection };
    const metrics = this.metrics;
    const startMs = metrics !== null ? metrics.nowMs() : 0;
    let result: unknown;
    try {
      result = handler.handle(request, context);
      // No closure per request on the synchronous path (produce): tsx names every one it creates.
      if (!(result instanceof Promise)) {
        const encoded = encodeResponse(spec, apiVersion, correlationId, result);
        metrics?.completed(apiKey, apiVersion, startMs, request);
        return encoded;
      }
    } catch (error) {
      return this.failed("request", error, connection, requestFields(spec, apiVersion, correlationId, clientId));
    }
    return result.then(
      (response) => {
        try {
          const encoded = encodeResponse(spec, apiVersion, correlationId, response);
          metrics?.completed(apiKey, apiVersion, startMs, request);
          return encoded;
        } catch (error) {
          return this.failed("request", error, connection, requestFields(spec, apiVersion, correlationId, clientId));
        }
      },
      (error: unknown) => this.failed("request", error, connection, requestFields(spec, apiVersion, correlationId, clientId)),
    );
  }

  /** Kafka's answer to an ApiVersions version it does not know: a v0 body with the error and the supported list. */
  private unsupportedApiVersions(correlationId: number): DispatchResult {
    const writer = new Writer();
    writeResponseHeader(writer, 0, { correlationId });
    writeApiVersionsResponse(writer, 0, {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: supportedApiVersions(this.handlers),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    return { kind: "respond", chunks: writer.toChunks() };
  }
}

/** What the log says of a request that failed unexpectedly. */
function requestFields(spec: ApiMessageSpec, apiVersion: number, correlationId: number, clientId: string | null): Record<string, unknown> {
  return { apiKey: spec.apiKey, api: spec.name, apiVersion, correlationId, clientId };
}

function encodeResponse(spec: ApiMessageSpec, apiVersion: number, correlationId: number, response: unknown): DispatchResult {
  if (response === null) return { kind: "no-response" };
  const writer = new Writer();
  writeResponseHeader(writer, responseHeaderVersion(spec.apiKey, apiVersion), { correlationId });
  spec.writeResponse(writer, apiVersion, response);
  return { kind: "respond", chunks: writer.toChunks() };
}

/** Counts and logs an error no code path expected, with the connection it closes. */
export function reportUnexpectedError(
  logger: Logger,
  errors: UnexpectedErrors,
  source: UnexpectedErrorSource,
  error: unknown,
  connection: ConnectionInfo,
  fields: Record<string, unknown>,
): void {
  errors.record(source);
  logger.error("unexpected error; closing the connection", {
    connection: connection.id,
    remote: `${connection.remoteAddress}:${connection.remotePort}`,
    listener: connection.listenerName,
    ...fields,
    error,
  });
}
