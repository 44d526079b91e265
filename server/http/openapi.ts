import "server-only";
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV3, type RouteConfig } from "@asteasolutions/zod-to-openapi";
import { z, type ZodTypeAny } from "zod";
import {
  addPartitionsInputSchema,
  alterConfigsInputSchema,
  apiErrorSchema,
  applyOffsetsInputSchema,
  brokerSchema,
  browseInputSchema,
  browseResultSchema,
  clusterOverviewSchema,
  configListSchema,
  createTopicInputSchema,
  groupDetailSchema,
  groupListSchema,
  messageSchema,
  metadataQuorumSchema,
  produceInputSchema,
  produceResultSchema,
  purgeResultSchema,
  recordInputSchema,
  resetOffsetsInputSchema,
  resetPreviewSchema,
  topicDetailSchema,
} from "@/lib/contracts";
import { auditPageSchema, auditQuerySchema } from "@/lib/audit";
import { sessionInfoSchema } from "@/lib/permissions";
import { loginInputSchema } from "@/server/auth/login";
import { groupListPageSchema, groupListQuerySchema } from "@/lib/group-list";
import { groupLagHistorySchema, groupLagQuerySchema, groupStatusSchema, topicRateHistorySchema, topicRateQuerySchema, topicTrendsSchema } from "@/lib/lag-history";
import { topicListQuerySchema, topicListSchema } from "@/lib/topic-list";
import { tailBatchSchema, tailEndSchema, tailInputSchema } from "@/server/services/tail-records";

// Adds .openapi() to zod's types, which the registry uses to name schemas; nothing else changes.
extendZodWithOpenApi(z);

/**
 * The console's REST API as an OpenAPI 3.0 document, generated from the same
 * zod contracts the route handlers parse and the services return, so the
 * document cannot drift from what is checked. A test holds it against the
 * route files under app/api: a route missing here fails it.
 */
export function openApiDocument(): ReturnType<OpenApiGeneratorV3["generateDocument"]> {
  const registry = new OpenAPIRegistry();
  const named = <T extends ZodTypeAny>(name: string, schema: T) => registry.register(name, schema);

  const ApiError = named("ApiError", apiErrorSchema);
  const ConfigList = named("ConfigList", configListSchema);
  const Message = named("Message", messageSchema);
  const ResetPreview = named("ResetPreview", resetPreviewSchema);

  // Path parameters are always required; without saying so, a coerced number reads as optional (zod coerces null to 0).
  const pathParams = (shape: Record<string, ZodTypeAny>) =>
    z.object(Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name, schema.openapi({ param: { required: true } })])));
  const topicParam = pathParams({
    topic: z.string().openapi({ description: "The topic's name (Kafka allows [a-zA-Z0-9._-] only, so it needs no encoding)" }),
  });
  const groupParam = pathParams({
    group: z.string().openapi({
      description: "The group id, percent-encoded once (encodeURIComponent): any character is allowed, \"/\" and \"%\" included",
    }),
  });

  const json = (schema: ZodTypeAny, description: string) => ({ description, content: { "application/json": { schema } } });
  const ERROR_STATUS = {
    400: "Invalid input: `error.field` names the field at fault",
    404: "No such topic, partition, group or broker",
    409: "Conflict: the topic exists already, or the group has members",
    502: "Kafka answered with an error the console does not map",
    503: "The Kafka cluster cannot be reached",
    401: "Users are configured and the request carries no valid session: log in first",
    403: "Not allowed: the message names the missing permission (also in the X-Sluice-Missing-Permission header), or the change came from another site, or the cluster is read-only",
    429: "Too many failed logins for this user from this address (Retry-After says when to try again)",
  } as const;
  type ErrorStatus = keyof typeof ERROR_STATUS;

  const route = (
    method: RouteConfig["method"],
    path: string,
    summary: string,
    ok: { status: number; schema?: ZodTypeAny; description: string },
    errors: ErrorStatus[],
    request?: RouteConfig["request"],
  ) =>
    registry.registerPath({
      method,
      path,
      summary,
      request,
      responses: {
        [ok.status]: ok.schema ? json(ok.schema, ok.description) : { description: ok.description },
        // Every route can find the cluster down or the caller not allowed, and a bug is a 500 with the same body.
        ...Object.fromEntries([...errors, 401 as const, 403 as const, 503 as const].map((status) => [status, json(ApiError, ERROR_STATUS[status])])),
        500: json(ApiError, "Unexpected server error (see the console's log)"),
      },
    });
  const body = (schema: ZodTypeAny) => ({ content: { "application/json": { schema } }, required: true });

  route("get", "/api/cluster", "The overview: cluster id, controller, brokers, topic and partition health, groups and lag, the protocol the controller serves", {
    status: 200,
    schema: named("ClusterOverview", clusterOverviewSchema),
    description: "The cluster",
  }, []);
  route("get", "/api/cluster/quorum", "The KRaft metadata quorum from DescribeQuorum: leader, epoch, high watermark, voters and observers with their lag; supported: false on a cluster that does not serve it", {
    status: 200,
    schema: named("MetadataQuorum", metadataQuorumSchema),
    description: "The quorum, or why the cluster has none to describe",
  }, []);
  route("get", "/api/brokers", "Brokers with address, rack, leader partitions and bytes on disk", {
    status: 200,
    schema: z.object({ brokers: z.array(named("Broker", brokerSchema)) }),
    description: "The brokers",
  }, []);
  const brokerParam = pathParams({ id: z.coerce.number().int().min(0).openapi({ description: "The broker's node id" }) });
  route("get", "/api/brokers/{id}/configs", "A broker's configs with their sources", { status: 200, schema: ConfigList, description: "Its configs" }, [400, 404], {
    params: brokerParam,
  });
  route("patch", "/api/brokers/{id}/configs", "Sets or removes this broker's dynamic configs, leaving the others as they are", {
    status: 200,
    schema: ConfigList,
    description: "The broker's configs after the change",
  }, [400, 404], { params: brokerParam, body: body(alterConfigsInputSchema) });

  route("get", "/api/topics", "One page (100) of topics, searched and sorted by the server", {
    status: 200,
    schema: named("TopicList", topicListSchema),
    description: "The page",
  }, [400], { query: topicListQuerySchema });
  route("post", "/api/topics", "Creates a topic", { status: 201, schema: z.object({ name: z.string() }), description: "Created" }, [400, 409], {
    body: body(createTopicInputSchema),
  });
  route("get", "/api/topics/{topic}", "A topic with its partitions: offsets, leader, replicas, size", {
    status: 200,
    schema: named("TopicDetail", topicDetailSchema),
    description: "The topic",
  }, [404], { params: topicParam });
  route("delete", "/api/topics/{topic}", "Deletes a topic", { status: 204, description: "Deleted" }, [400, 404], { params: topicParam });
  route("get", "/api/topics/{topic}/configs", "A topic's configs with their sources", { status: 200, schema: ConfigList, description: "Its configs" }, [404], {
    params: topicParam,
  });
  route("patch", "/api/topics/{topic}/configs", "Sets or removes config overrides, leaving the others as they are", {
    status: 200,
    schema: ConfigList,
    description: "The configs after the change",
  }, [400, 404], { params: topicParam, body: body(alterConfigsInputSchema) });
  route("get", "/api/topics/{topic}/messages", "A page of records, optionally only those containing a text (the scan is budgeted)", {
    status: 200,
    schema: named("BrowseResult", browseResultSchema),
    description: "The page, with the cursor of the next",
  }, [400, 404], { params: topicParam, query: browseInputSchema });
  route("post", "/api/topics/{topic}/messages", "Produces a record (N copies)", {
    status: 201,
    schema: named("ProduceResult", produceResultSchema),
    description: "Where each copy landed",
  }, [400, 404], { params: topicParam, body: body(produceInputSchema) });
  // A stream, not one JSON body: each server-sent event's data is JSON of the schema its name gives.
  registry.registerPath({
    method: "get",
    path: "/api/topics/{topic}/tail",
    summary: "Live tail: new records from the current end as server-sent events (start, records every ~100 ms with the arrival rate, end), filtered like the message search",
    request: { params: topicParam, query: tailInputSchema },
    responses: {
      200: {
        description: "`event: start` (each partition's end offset), `event: records` (TailBatch), `event: end` (TailEnd: time limit or error; the stream closes after)",
        content: { "text/event-stream": { schema: z.object({ records: named("TailBatch", tailBatchSchema), end: named("TailEnd", tailEndSchema) }) } },
      },
      400: json(ApiError, ERROR_STATUS[400]),
      404: json(ApiError, ERROR_STATUS[404]),
      429: json(ApiError, "Too many live tails are open on this console (SLUICE_TAIL_MAX); try again later"),
      500: json(ApiError, "Unexpected server error (see the console's log)"),
      503: json(ApiError, ERROR_STATUS[503]),
    },
  });
  route("post", "/api/topics/{topic}/partitions", "Adds partitions to a topic", {
    status: 200,
    schema: z.object({ partitions: z.number().int() }),
    description: "The topic's partition count now",
  }, [400, 404], { params: topicParam, body: body(addPartitionsInputSchema) });
  route("post", "/api/topics/{topic}/purge", "Deletes every record of the topic, keeping the topic", {
    status: 200,
    schema: named("PurgeResult", purgeResultSchema),
    description: "Each partition's new log start",
  }, [404], { params: topicParam });
  route("get", "/api/topics/{topic}/records/{partition}/{offset}", "One record, key and value whole (not cut at 64 KiB)", {
    status: 200,
    schema: Message,
    description: "The record",
  }, [400, 404], {
    params: topicParam.extend(pathParams(recordInputSchema.shape).shape),
  });

  route("get", "/api/groups", "Consumer groups with state, members, topics and lag (`supported: false` when the cluster has no group APIs)", {
    status: 200,
    schema: named("GroupList", groupListSchema),
    description: "The groups",
  }, []);
  route("get", "/api/groups/{group}", "A group: members and their assignments, per partition the committed offset, end offset and lag", {
    status: 200,
    schema: named("GroupDetail", groupDetailSchema),
    description: "The group",
  }, [404], { params: groupParam });
  route("delete", "/api/groups/{group}", "Deletes an empty group and its committed offsets", { status: 204, description: "Deleted" }, [404, 409], { params: groupParam });
  route("post", "/api/groups/{group}/offsets/preview", "The offsets a reset would commit, old and new; nothing changes", {
    status: 200,
    schema: ResetPreview,
    description: "The preview",
  }, [400, 404, 409], { params: groupParam, body: body(resetOffsetsInputSchema) });
  route("put", "/api/groups/{group}/offsets", "Commits offsets (a preview's) for a group without members; a group that does not exist only with createIfMissing", {
    status: 200,
    schema: ResetPreview,
    description: "What was committed",
  }, [400, 404, 409], { params: groupParam, body: body(applyOffsetsInputSchema) });

  // Lag history: read from the samples the console keeps; 503 when this console keeps none.
  route("get", "/api/group-list", "One page (100) of every sampled group, searched, filtered (status, state) and sorted (lag, time lag, status, id) by the server", {
    status: 200,
    schema: named("GroupListPage", groupListPageSchema),
    description: "The page, with totals that say which groups they cover",
  }, [400], { query: groupListQuerySchema });
  route("get", "/api/groups/{group}/lag", "A group's lag over the last hour, day or week (total, per topic or per partition) with consumption and production rates, at most 1,000 points per series", {
    status: 200,
    schema: named("GroupLagHistory", groupLagHistorySchema),
    description: "The series on one time grid",
  }, [400], { params: groupParam, query: groupLagQuerySchema });
  route("get", "/api/groups/{group}/status", "A group's status (OK, WARNING, STALLED, STOPPED, REWIND) per partition and overall, judged over a window of samples", {
    status: 200,
    schema: named("GroupStatus", groupStatusSchema),
    description: "The status with its reasons",
  }, [], { params: groupParam });
  route("get", "/api/topics/{topic}/rate", "A topic's production rate (records/s) over the last hour, day or week, from the sampled end offsets", {
    status: 200,
    schema: named("TopicRateHistory", topicRateHistorySchema),
    description: "The series",
  }, [400], { params: topicParam, query: topicRateQuerySchema });
  route("get", "/api/topic-trends", "The last hour's production rate (30 points) of each topic named, for the page of the topic list shown", {
    status: 200,
    schema: named("TopicTrends", topicTrendsSchema),
    description: "Per topic: records/s per point over the last hour, and between the two newest samples",
  }, [400], { query: z.object({ topics: z.string().openapi({ description: "Comma-separated topic names, at most 100" }) }) });

  route("get", "/api/openapi.json", "This document", { status: 200, description: "The OpenAPI 3.0 document of the console's API" }, []);

  route("post", "/api/auth/login", "Logs in with a user of the configuration file; sets the session cookie (http-only, SameSite=Lax)", {
    status: 200,
    schema: z.object({ user: z.string() }),
    description: "Logged in",
  }, [400, 404, 429], { body: body(loginInputSchema) });
  route("get", "/api/auth/oidc/start", "Single sign-on: redirects to the OpenID Connect provider (authorization code with PKCE)", { status: 302, description: "To the provider" }, [404], {
    query: z.object({ next: z.string().optional().openapi({ description: "The console path to return to" }) }),
  });
  route("get", "/api/auth/oidc/callback", "Single sign-on: the provider's redirect back; sets the session cookie and redirects to where the login started", {
    status: 303,
    description: "Logged in",
  }, [400, 404]);
  route("post", "/api/auth/logout", "Logs out: clears the session cookie", { status: 204, description: "Logged out" }, []);
  route("get", "/api/session", "Who is logged in, and the grants and read-only state that decide what they may do", {
    status: 200,
    schema: named("SessionInfo", sessionInfoSchema),
    description: "The session",
  }, []);
  route("get", "/api/audit", "The audit log (changes and logins, allowed or refused), newest first; format=jsonl exports every matching entry as JSON lines", {
    status: 200,
    schema: named("AuditPage", auditPageSchema),
    description: "The entries",
  }, [400], { query: auditQuerySchema });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: "3.0.3",
    info: {
      title: "Sluice console API",
      version: "0.1.0",
      description:
        "The REST API the console's pages use, for scripts as well. JSON in and out; every error is `{ error: { code, message, field? } }`. With users configured (SLUICE_CONFIG), every route but the login needs the session cookie POST /api/auth/login sets, and answers 403 naming the missing permission; changes from another site are refused.",
    },
  });
}
