import "server-only";
import { ApiKey } from "@sluice/protocol/messages/api-messages";
import type { ApiVersionsResponse } from "@sluice/protocol/messages";
import type { BrokerAddress } from "./broker-wire";
import { errorFromCode } from "./errors";
import { REQUEST_TIMEOUT_MS, type ClusterClients } from "./registry";

// ApiVersions v3 (Kafka 2.4+) carries the feature flags; a broker without it answers v0 (every Kafka serves v0).
const API_VERSIONS_FEATURES_VERSION = 3;
const API_VERSIONS_PLAIN_VERSION = 0;
// Kafka checks v3's client software name and version against [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
const CLIENT_SOFTWARE = { clientSoftwareName: "sluice", clientSoftwareVersion: "0.1.0" };

const API_NAMES = new Map<number, string>(Object.entries(ApiKey).map(([name, key]) => [key, name]));

export interface BrokerApiVersions {
  apis: Array<{ apiKey: number; name: string; minVersion: number; maxVersion: number }>;
  supportedFeatures: Array<{ name: string; minVersion: number; maxVersion: number }>;
  finalizedFeatures: Array<{ name: string; level: number }>;
}

/**
 * What one broker serves, from its ApiVersions answer: each API key with its
 * version range (named when the console knows the key) and the feature flags
 * (metadata.version, kraft.version ...) it supports and the cluster finalized.
 */
export async function brokerApiVersions(clients: ClusterClients, broker: BrokerAddress): Promise<BrokerApiVersions> {
  const wire = await clients.wire(broker.host, broker.port);
  const ask = (version: number) => wire.request<ApiVersionsResponse>(ApiKey.ApiVersions, version, CLIENT_SOFTWARE, REQUEST_TIMEOUT_MS);
  // A broker older than v3 answers UNSUPPORTED_VERSION in v0's shape, which v3's decoder may refuse: ask v0 then.
  let response = await ask(API_VERSIONS_FEATURES_VERSION).catch(() => null);
  if (!response || response.errorCode !== 0) response = await ask(API_VERSIONS_PLAIN_VERSION);
  if (response.errorCode !== 0) throw errorFromCode(response.errorCode, `ApiVersions of broker ${broker.nodeId}`);
  return {
    apis: response.apiKeys
      .map((a) => ({ apiKey: a.apiKey, name: API_NAMES.get(a.apiKey) ?? `API key ${a.apiKey}`, minVersion: a.minVersion, maxVersion: a.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey),
    supportedFeatures: response.supportedFeatures.map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })).sort((a, b) => a.name.localeCompare(b.name)),
    // Since Kafka 3.1 (KIP-778) a finalized feature has one level, sent as maxVersionLevel.
    finalizedFeatures: response.finalizedFeatures.map((f) => ({ name: f.name, level: f.maxVersionLevel })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}
