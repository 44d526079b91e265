import "server-only";
import { readFileSync } from "node:fs";
import type { KafkaConfig, SASLOptions } from "kafkajs";
import { consoleConfig } from "../config/load";
import type { ClusterEntry, ConsoleConfig } from "../config/schema";

/** How to reach one cluster: from the configuration file, or from the environment. */
export interface ClusterConfig {
  id: string;
  /** Shown in the shell; the id when the configuration gives none. */
  name?: string;
  /** Takes no change from this console. */
  readOnly?: boolean;
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

/** One cluster of the configuration file as the clients take it (a CA file is read now, so a missing one fails at start-up). */
export function clusterConfigFromEntry(entry: ClusterEntry): ClusterConfig {
  let ssl: KafkaConfig["ssl"] = undefined;
  if (entry.tls?.enabled) {
    let ca: string[] | undefined;
    if (entry.tls.caFile) {
      try {
        ca = [readFileSync(entry.tls.caFile, "utf8")];
      } catch (error) {
        throw new Error(`clusters.${entry.id}.tls.caFile: ${entry.tls.caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`, { cause: error });
      }
    }
    ssl = { rejectUnauthorized: entry.tls.rejectUnauthorized, ...(ca ? { ca } : {}) };
  }
  const sasl = entry.sasl ? ({ mechanism: entry.sasl.mechanism, username: entry.sasl.username, password: entry.sasl.password } as SASLOptions) : undefined;
  return { id: entry.id, name: entry.name ?? entry.id, readOnly: entry.readOnly, brokers: entry.bootstrapServers, clientId: entry.clientId ?? "sluice-console", ssl, sasl };
}

/**
 * The cluster the console shows: the first of the configuration file, or the
 * one the KAFKA_* variables describe when the file lists none (or there is no
 * file). Its id stays "default", the key of its clients and of its lag history
 * until the console routes by cluster; `name` carries the configured one.
 */
export function defaultClusterConfig(config: ConsoleConfig = consoleConfig(), env: NodeJS.ProcessEnv = process.env): ClusterConfig {
  const first = config.clusters[0];
  return first ? { ...clusterConfigFromEntry(first), id: "default" } : { ...clusterConfigFromEnv(env), name: "default" };
}

