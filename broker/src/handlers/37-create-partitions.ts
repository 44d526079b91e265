// CreatePartitions (key 37), versions 0-3: grow a topic, optionally with explicit assignments.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { CreatePartitionsRequest, CreatePartitionsResponse } from "../protocol/generated";
import { defineHandler, errorOf } from "./handler";

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(request, context) {
    const { services } = context;
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
    const results = [];
    for (const topic of request.topics) {
      if (counts.get(topic.name)! > 1) {
        results.push({ name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "Duplicate topic in request." });
        continue;
      }
      try {
        await services.controller.createPartitions(
          topic.name,
          topic.count,
          topic.assignments ? topic.assignments.map((a) => a.brokerIds) : null,
          { validateOnly: request.validateOnly },
        );
        results.push({ name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null });
      } catch (error) {
        results.push({ name: topic.name, ...errorOf(error, context) });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
