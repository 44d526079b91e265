import type { ApiHandler, RequestContext } from "./handler";

/** How long a forwarded request may wait for the active controller's answer (clients' own request timeout is 30 s). */
const FORWARD_TIMEOUT_MS = 25_000;

/**
 * Serves an admin API the way Kafka's brokers do in KRaft: a request that
 * reaches a node other than the active controller is sent on to it (over its
 * controller listener) and its answer returned, so that a client may send
 * admin requests to any node. A request that came over a controller listener
 * was forwarded already and is served here, whatever the answer; so is one
 * whose forwarding failed, which then gets this node's own answer
 * (NOT_CONTROLLER, unless it has become the active controller meanwhile).
 *
 * The principal is not forwarded (Kafka wraps the request in an Envelope for
 * that); this broker authorizes nothing per principal yet.
 */
export function forwardedToActiveController<Request, Response>(handler: ApiHandler<Request, Response>): ApiHandler<Request, Response> {
  return {
    ...handler,
    handle(request: Request, context: RequestContext) {
      const { services } = context;
      const quorumConfig = services.config.quorum;
      if (services.quorum === null || quorumConfig === null || quorumConfig.controllerListenerNames.includes(context.connection.listenerName)) return handler.handle(request, context);
      const forwarded = services.quorum.forwardToActiveController(handler.apiKey, context.apiVersion, request, FORWARD_TIMEOUT_MS);
      if (forwarded === null) return handler.handle(request, context);
      return forwarded.then(
        (response) => response as Response,
        (error: Error) => {
          services.logger.warn("forwarding to the active controller failed; answering here", { apiKey: handler.apiKey, error: error.message });
          return handler.handle(request, context);
        },
      );
    },
  };
}
