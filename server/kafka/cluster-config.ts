import "server-only";
import { readFileSync } from "node:fs";
import type { KafkaConfig, SASLOptions } from "kafkajs";

/** How to reach one cluster, read from the environment. */
export interface ClusterConfig {
  id: string;
  brokers: string[];
  clientId: string;
  ssl: KafkaConfig["ssl"];
  sasl: SASLOptions | undefined;
}

/**
 * KAFKA_BROKERS=host:port,host:port (default 127.0.0.1:9092), KAFKA_CLIENT_ID,
 * KAFKA_SSL=true with optional KAFKA_SSL_CA_FILE and KAFKA_SSL_REJECT_UNAUTHORIZED=false,
 * KAFKA_SASL_MECHANISM=plain|scram-sha-256|scram-sha-512 with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.
 */
export function clusterConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ClusterConfig {
  const brokers = (env.KAFKA_BROKERS ?? "127.0.0.1:9092")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error("KAFKA_BROKERS names no broker");
  let ssl: KafkaConfig["ssl"] = undefined;
  if (env.KAFKA_SSL === "true" || env.KAFKA_SSL_CA_FILE) {
    ssl = {
      rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED !== "false",
      ...(env.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(env.KAFKA_SSL_CA_FILE, "utf8")] } : {}),
    };
  }
  let sasl: SASLOptions | undefined;
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism) {
    if (mechanism !== "plain" && mechanism !== "scram-sha-256" && mechanism !== "scram-sha-512")
      throw new Error(`KAFKA_SASL_MECHANISM ${mechanism} is not one of plain, scram-sha-256, scram-sha-512`);
    sasl = { mechanism, username: env.KAFKA_SASL_USERNAME ?? "", password: env.KAFKA_SASL_PASSWORD ?? "" } as SASLOptions;
  }
  return { id: "default", brokers, clientId: env.KAFKA_CLIENT_ID ?? "sluice-console", ssl, sasl };
}
