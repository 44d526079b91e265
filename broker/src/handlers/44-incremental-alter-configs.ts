// IncrementalAlterConfigs (key 44), versions 0-1: SET, DELETE, APPEND and SUBTRACT on
// single configs of a topic or of this broker; validated, then persisted.
import { ApiKey } from "../protocol/generated/api-messages";
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from "../protocol/generated";
import { alterResources } from "./config-resources";
import { defineHandler } from "./handler";

export const incrementalAlterConfigsHandler = defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, context) {
    const responses = await alterResources(
      request.resources,
      (resource) => resource.configs.map((config) => ({ name: config.name, op: config.configOperation, value: config.value })),
      { mode: "incremental", validateOnly: request.validateOnly },
      context,
    );
    return { throttleTimeMs: 0, responses };
  },
});
