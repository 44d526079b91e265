// IncrementalAlterConfigs (key 44), versions 0-1: SET, DELETE, APPEND and SUBTRACT on
// single configs of a topic or of this broker; validated, then persisted.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from "../protocol/generated";
import { alterResource, resolveResource } from "./config-resources";
import { defineHandler, errorOf } from "./handler";

export const incrementalAlterConfigsHandler = defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle(request, context) {
    const { broker } = context;
    return {
      throttleTimeMs: 0,
      responses: request.resources.map((resource) => {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        try {
          const target = resolveResource(broker, resource.resourceType, resource.resourceName);
          const changes = resource.configs.map((config) => ({ name: config.name, op: config.configOperation, value: config.value }));
          alterResource(broker, target, changes, { mode: "incremental", validateOnly: request.validateOnly });
          return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (error) {
          return { ...base, ...errorOf(error, context) };
        }
      }),
    };
  },
});
