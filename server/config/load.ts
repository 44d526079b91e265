import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { ZodError } from "zod";
import { consoleConfigSchema, type ConsoleConfig } from "./schema";

/** A configuration file that cannot be read or is not valid; the message names the file and the field. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Every issue as "path: message" ("users.1.roles.0: no role 'ops'"), one per line. */
export function describeIssues(error: ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.length ? issue.path.join(".") : "(top level)"}: ${issue.message}`).join("\n");
}

/** Parses and validates a configuration's text; YAML unless the file ends in .json (JSON is YAML too, but its errors read better as JSON). */
export function parseConsoleConfig(text: string, file: string): ConsoleConfig {
  let raw: unknown;
  try {
    raw = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`the console configuration ${file} does not parse: ${(error as Error).message}`);
  }
  const parsed = consoleConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`the console configuration ${file} is not valid:\n${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The file SLUICE_CONFIG names, parsed; null when the variable is unset (the console as before: KAFKA_BROKERS, no login). */
export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): { file: string; config: ConsoleConfig } | null {
  const name = env.SLUICE_CONFIG;
  if (!name) return null;
  const file = path.resolve(name);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`SLUICE_CONFIG names ${file}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return { file, config: parseConsoleConfig(text, file) };
}

const EMPTY: ConsoleConfig = consoleConfigSchema.parse({});

// One parse per process (the file is read at start-up; a change needs a restart), kept on globalThis across dev reloads.
const cache = globalThis as unknown as { __sluiceConfig?: { key: string; config: ConsoleConfig } };

/** The configuration in force: the file's, or the empty one when there is none. Throws ConfigError on a bad file. */
export function consoleConfig(): ConsoleConfig {
  const key = process.env.SLUICE_CONFIG ?? "";
  if (cache.__sluiceConfig?.key !== key) cache.__sluiceConfig = { key, config: loadConsoleConfig()?.config ?? EMPTY };
  return cache.__sluiceConfig.config;
}

/** Tests put a configuration in force without a file. */
export function useConsoleConfig(config: ConsoleConfig | null): void {
  cache.__sluiceConfig = { key: process.env.SLUICE_CONFIG ?? "", config: config ?? EMPTY };
}

/** True when users (or single sign-on) are configured: every request then needs a login. */
export const authEnabled = (config: ConsoleConfig = consoleConfig()) => config.users.length > 0 || config.oidc !== undefined;

/** The configured id of the default cluster ("default" without a file), the one role grants name. */
export const defaultClusterId = (config: ConsoleConfig = consoleConfig()) => config.clusters[0]?.id ?? "default";
