// How a config alteration (AlterConfigs, IncrementalAlterConfigs) turns a
// resource's current overrides into the next ones, with Kafka's checks and
// wording. The controller proposes the result; nothing here changes state.
import { BROKER_CONFIG_DEFS, effectiveBrokerValue, type BrokerConfig, type ConfigType } from "../config/broker-config";
import { LISTENER_PREFIX_ONLY_CONFIGS } from "../config/kafka-config-names";
import { TOPIC_CONFIG_DEFS, topicConfigDefault } from "../config/topic-config";
import { KafkaError } from "../protocol/errors";

/** IncrementalAlterConfigs operations (AlterConfigOp.OpType). */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigChange {
  name: string;
  /** SET for the legacy AlterConfigs, which replaces every override at once. */
  op: number;
  value: string | null;
}

/** A resolved target of a config request. */
export type ConfigResource = { kind: "topic"; name: string } | { kind: "broker"; name: string };

export interface AlterationOptions {
  /** "replace" is the legacy AlterConfigs: the given configs become the whole set of overrides; "incremental" edits them one operation at a time. */
  mode: "replace" | "incremental";
  validateOnly: boolean;
}

/**
 * The overrides `resource` should have after `changes`, starting from
 * `current`, or the KafkaError Kafka answers with. `config` supplies the
 * effective values that APPEND and SUBTRACT start from when not overridden.
 */
export function alteredOverrides(
  resource: ConfigResource,
  current: ReadonlyMap<string, string>,
  changes: readonly ConfigChange[],
  mode: AlterationOptions["mode"],
  config: BrokerConfig,
): Record<string, string> {
  const seen = new Set<string>();
  for (const change of changes) {
    if (seen.has(change.name)) throw new KafkaError("INVALID_REQUEST", `Error due to duplicate config keys: ${change.name}`);
    seen.add(change.name);
  }
  const next: Record<string, string> = mode === "replace" ? {} : Object.fromEntries(current);
  const typeOf = (name: string): ConfigType | undefined =>
    (resource.kind === "topic" ? TOPIC_CONFIG_DEFS.get(name) : BROKER_CONFIG_DEFS.get(name))?.type;
  const effective = (name: string): string | null => {
    if (Object.hasOwn(next, name)) return next[name];
    if (resource.kind === "broker") return effectiveBrokerValue(config, name);
    const def = TOPIC_CONFIG_DEFS.get(name);
    return def ? topicConfigDefault(def, config) : null;
  };

  for (const change of changes) {
    if (typeOf(change.name) === undefined) throw new KafkaError("INVALID_CONFIG", `Unknown ${resource.kind} config name: ${change.name}`);
    switch (change.op) {
      case AlterOp.SET:
        if (change.value === null) {
          if (mode === "replace") continue; // the legacy API drops a null value
          throw new KafkaError("INVALID_CONFIG", `Null value not supported for : ${change.name}`);
        }
        next[change.name] = change.value;
        break;
      case AlterOp.DELETE:
        delete next[change.name];
        break;
      case AlterOp.APPEND:
      case AlterOp.SUBTRACT: {
        if (typeOf(change.name) !== "LIST")
          throw new KafkaError("INVALID_CONFIG", `Config value append is not allowed for config key: ${change.name}`);
        const items = splitList(effective(change.name));
        const given = splitList(change.value);
        const updated =
          change.op === AlterOp.APPEND ? [...items, ...given.filter((item) => !items.includes(item))] : items.filter((item) => !given.includes(item));
        next[change.name] = updated.join(",");
        break;
      }
      default:
        throw new KafkaError("INVALID_REQUEST", `Unknown config operation ${change.op} for ${change.name}`);
    }
  }
  if (resource.kind === "broker") checkDynamicallyUpdatable(next);
  return next;
}

/** Kafka's answer (and wording) for broker properties that need a restart or a listener prefix. */
function checkDynamicallyUpdatable(next: Readonly<Record<string, string>>): void {
  const fixed = Object.keys(next).filter((name) => BROKER_CONFIG_DEFS.get(name)?.mode === "read-only");
  if (fixed.length > 0) throw new KafkaError("INVALID_REQUEST", `Cannot update these configs dynamically: Set(${fixed.join(", ")})`);
  const prefixOnly = Object.keys(next).filter((name) => LISTENER_PREFIX_ONLY_CONFIGS.has(name));
  if (prefixOnly.length > 0)
    throw new KafkaError(
      "INVALID_REQUEST",
      `These security configs can be dynamically updated only per-listener using the listener prefix: Set(${prefixOnly.join(", ")})`,
    );
}

function splitList(text: string | null): string[] {
  return text === null || text.trim() === "" ? [] : text.split(",").map((item) => item.trim());
}
