// AlterConfigs (key 33), versions 0-2: replaces every override of a topic or of this
// broker's dynamic configs; validated, then persisted in the metadata log.
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { AlterConfigsRequest, AlterConfigsResponse } from "../protocol/generated";
import { AlterOp, alterResource, resolveResource } from "./config-resources";
import { defineHandler, errorOf } from "./handler";

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle(request, context) {
    const { broker } = context;
    return {
      throttleTimeMs: 0,
      responses: request.resources.map((resource) => {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        try {
          const target = resolveResource(broker, resource.resourceType, resource.resourceName);
          const changes = resource.configs.map((config) => ({ name: config.name, op: AlterOp.SET, value: config.value }));
          alterResource(broker, target, changes, { mode: "replace", validateOnly: request.validateOnly });
          return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (error) {
          return { ...base, ...errorOf(error, context) };
        }
      }),
    };
  },
});
