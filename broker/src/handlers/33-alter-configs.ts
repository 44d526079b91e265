// AlterConfigs (key 33), versions 0-2: replaces every override of a topic or of this
// broker's dynamic configs; validated, then persisted in the metadata log.
import { ApiKey } from "../protocol/generated/api-messages";
import type { AlterConfigsRequest, AlterConfigsResponse } from "../protocol/generated";
import { AlterOp, alterResources } from "./config-resources";
import { defineHandler } from "./handler";

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, context) {
    const responses = await alterResources(
      request.resources,
      (resource) => resource.configs.map((config) => ({ name: config.name, op: AlterOp.SET, value: config.value })),
      { mode: "replace", validateOnly: request.validateOnly },
      context,
    );
    return { throttleTimeMs: 0, responses };
  },
});
