// DescribeConfigs (key 32), versions 0-4: topic and broker configs with their sources,
// synonyms (v1+) and types (v3+).
import { ErrorCode } from "../protocol/errors";
import { ApiKey } from "../protocol/generated/api-messages";
import type { DescribeConfigsRequest, DescribeConfigsResponse } from "../protocol/generated";
import { describeResource, resolveResource } from "./config-resources";
import { defineHandler, errorOf } from "./handler";

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: ApiKey.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(request, context) {
    const { services } = context;
    return {
      throttleTimeMs: 0,
      results: request.resources.map((resource) => {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        try {
          const target = resolveResource(services, resource.resourceType, resource.resourceName);
          const configs = describeResource(services, target, {
            names: resource.configurationKeys,
            includeSynonyms: request.includeSynonyms,
            includeDocumentation: request.includeDocumentation,
          });
          return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
        } catch (error) {
          return { ...base, ...errorOf(error, context), configs: [] };
        }
      }),
    };
  },
});
