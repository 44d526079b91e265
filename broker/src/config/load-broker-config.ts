import { readFileSync } from "node:fs";
import {
  BROKER_CONFIG_DEFS,
  BROKER_PROPERTY_FIELDS,
  parsePerIpOverrides,
  SASL_MECHANISMS,
  type BrokerPropertyFields,
} from "./broker-properties";
import {
  checkValue,
  ConfigError,
  defaultOf,
  toSafeNumber,
  type BrokerConfigSource,
  type Layer,
  type ParsedValue,
  type ResolvedValue,
} from "./definitions";
import {
  LISTENER_PREFIXED,
  listenerMaxConnections,
  listenerPropertyDef,
  resolveInterBrokerListenerName,
  resolveListeners,
  type ListenerConfig,
  type ListenerSaslConfig,
} from "./listeners";
import { parsePropertiesEntries, PropertiesSyntaxError } from "./properties-file";
import { resolveQuorum, type ProcessRole, type QuorumConfig } from "./quorum";

/*
 * Loading: the properties file and --override arguments (static), and the
 * properties set at run time (dynamic), each parsed against the property
 * table, layered (dynamic over static over default) and resolved into the
 * configuration the node runs with.
 */

export type { ProcessRole } from "./quorum";

/**
 * The configuration the node runs with: a typed field for each property the
 * node reads (declared by the property table's `field` column), the settings
 * built from several properties, and every property's resolved value.
 * Properties the node does not read are described from `values`.
 */
export interface BrokerConfig extends BrokerPropertyFields {
  /** Everything to bind, in the order given (controller listeners included). */
  listeners: ListenerConfig[];
  /** What clients are told: advertised.listeners, or listeners without the controller ones and with "localhost" for a wildcard host. */
  advertisedListeners: ListenerConfig[];
  interBrokerListenerName: string;
  /** process.roles, as given. */
  processRoles: ProcessRole[];
  /** The metadata quorum this node is a voter or observer of; null for a cluster of one (no controller.quorum.voters). */
  quorum: QuorumConfig | null;
  /** The SASL settings of each SASL_PLAINTEXT listener, by listener name. */
  listenerSasl: ReadonlyMap<string, ListenerSaslConfig>;
  /** listener.name.<listener>.max.connections, by listener name (upper case). */
  listenerMaxConnections: ReadonlyMap<string, number>;

  /** log.dirs, else log.dir; relative paths are relative to the working directory. */
  logDirs: string[];
  /** queued.max.request.bytes; 0 or less means unbounded. */
  queuedMaxRequestBytes: number;
  /** max.connections.per.ip.overrides: host name or address (lower case) to its limit. */
  maxConnectionsPerIpOverrides: ReadonlyMap<string, number>;

  /** Every defined property (DescribeConfigs reads this). */
  values: ReadonlyMap<string, ResolvedValue>;
  /** Properties set in the file or by --override, in canonical form. */
  staticConfigs: Readonly<Record<string, string>>;
  /** Properties set at run time (AlterConfigs on this broker), in canonical form. */
  dynamicConfigs: Readonly<Record<string, string>>;
}

/** The properties set (statically or dynamically) that this broker accepts but does not act on, sorted. */
export function unusedBrokerProperties(config: BrokerConfig): string[] {
  const set = [...Object.keys(config.staticConfigs), ...Object.keys(config.dynamicConfigs)];
  return [...new Set(set)].filter((name) => (BROKER_CONFIG_DEFS.get(name) ?? listenerPropertyDef(name))?.unused).sort();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

function unknownProperty(name: string): ConfigError {
  if (LISTENER_PREFIXED.test(name))
    return new ConfigError(
      `Unknown broker property ${name} (a listener.name.<listener>. prefix takes sasl.enabled.mechanisms or ` +
        `<mechanism>.sasl.jaas.config with mechanism ${SASL_MECHANISMS.map((m) => m.toLowerCase()).join(", ")})`,
      name,
    );
  const asTopicConfig = [...BROKER_CONFIG_DEFS.values()].find((def) => def.topicConfig === name);
  let hint = "";
  if (asTopicConfig) hint = ` (${name} is a topic config; the broker-wide default is ${asTopicConfig.name})`;
  else {
    let best: string | null = null;
    let bestDistance = Math.min(3, Math.floor(name.length / 3));
    for (const known of BROKER_CONFIG_DEFS.keys()) {
      const distance = editDistance(name, known);
      if (distance <= bestDistance) [best, bestDistance] = [known, distance];
    }
    if (best) hint = ` (did you mean ${best}?)`;
  }
  return new ConfigError(`Unknown broker property ${name}${hint}`, name);
}

/** Parses and validates each given property. */
function parseLayer(raw: Readonly<Record<string, string>>): Layer {
  const layer: Layer = new Map();
  for (const [name, text] of Object.entries(raw)) {
    const def = BROKER_CONFIG_DEFS.get(name) ?? listenerPropertyDef(name);
    if (!def) throw unknownProperty(name);
    const checked = checkValue(name, def.type, text, def.validator);
    if (!checked.ok) throw new ConfigError(checked.message, name);
    layer.set(name, checked);
  }
  return layer;
}

/**
 * Builds the broker configuration from static properties (file plus
 * overrides) and optional dynamic per-broker ones, which must be updatable.
 * Throws ConfigError naming the property at fault.
 */
export function parseBrokerConfig(raw: Readonly<Record<string, string>>, dynamic: Readonly<Record<string, string>> = {}): BrokerConfig {
  const staticLayer = parseLayer(raw);
  const dynamicLayer = parseLayer(dynamic);
  const fixed = [...dynamicLayer.keys()].filter((name) => (BROKER_CONFIG_DEFS.get(name) ?? listenerPropertyDef(name))!.mode === "read-only");
  if (fixed.length > 0) throw new ConfigError(`Cannot update these configs dynamically: ${fixed.join(", ")}`, fixed[0]);

  // node.id and broker.id are one setting under two names: setting either sets both.
  const nodeIdSet = staticLayer.get("node.id");
  const brokerIdSet = staticLayer.get("broker.id");
  if (nodeIdSet && brokerIdSet && nodeIdSet.value !== brokerIdSet.value)
    throw new ConfigError(`If both node.id and broker.id are defined, they must be the same (node.id=${nodeIdSet.text}, broker.id=${brokerIdSet.text})`, "broker.id");
  const idSet = nodeIdSet ?? brokerIdSet;
  if (idSet && (idSet.value as number) < 0) throw new ConfigError(`Invalid value ${idSet.text} for configuration broker.id: the node id must be at least 0`, "broker.id");
  if (idSet) for (const name of ["node.id", "broker.id"]) staticLayer.set(name, idSet);

  const parsed = new Map<string, ParsedValue | null>();
  const values = new Map<string, ResolvedValue>();
  for (const def of BROKER_CONFIG_DEFS.values()) {
    const source: BrokerConfigSource = dynamicLayer.has(def.name) ? "DYNAMIC_BROKER_CONFIG" : staticLayer.has(def.name) ? "STATIC_BROKER_CONFIG" : "DEFAULT_CONFIG";
    const entry = dynamicLayer.get(def.name) ?? staticLayer.get(def.name) ?? defaultOf(def);
    const isSensitive = def.type === "PASSWORD";
    parsed.set(def.name, entry?.value ?? null);
    values.set(def.name, { value: isSensitive ? null : (entry?.text ?? null), source, isSensitive, readOnly: def.mode === "read-only" });
  }
  if (!idSet) {
    parsed.set("broker.id", parsed.get("node.id")!);
    values.get("broker.id")!.value = values.get("node.id")!.value;
  }

  const get = <T extends ParsedValue | null>(name: string) => parsed.get(name) as T;
  const num = (name: string) => toSafeNumber(get<number | bigint>(name));
  const isSet = (name: string) => staticLayer.has(name) || dynamicLayer.has(name);

  const { listeners, advertisedListeners, listenerSasl } = resolveListeners({ get, isSet }, staticLayer);

  const processRoles = get<ProcessRole[]>("process.roles");
  if (processRoles.length === 0 || new Set(processRoles).size !== processRoles.length)
    throw new ConfigError(`Invalid value ${values.get("process.roles")!.value} for configuration process.roles: give broker, controller or both, once each`, "process.roles");
  const interBrokerListenerName = resolveInterBrokerListenerName({ get, isSet }, advertisedListeners, processRoles.includes("broker"));
  const quorum = resolveQuorum({ get, isSet }, num("node.id"), processRoles, listeners);


  // Kafka's checks of the connection and request memory limits.
  const perIpOverrides = (parsePerIpOverrides(get<string>("max.connections.per.ip.overrides")) as { overrides: Map<string, number> }).overrides;
  if (num("max.connections.per.ip") === 0 && perIpOverrides.size === 0)
    throw new ConfigError("max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.", "max.connections.per.ip");
  if (isSet("queued.max.request.bytes") && num("queued.max.request.bytes") > 0 && num("queued.max.request.bytes") < num("socket.request.max.bytes"))
    throw new ConfigError("queued.max.request.bytes must be larger or equal to socket.request.max.bytes", "queued.max.request.bytes");
  const listenerLimits = listenerMaxConnections([staticLayer, dynamicLayer], listeners);

  if (num("group.min.session.timeout.ms") > num("group.max.session.timeout.ms"))
    throw new ConfigError("group.min.session.timeout.ms must not exceed group.max.session.timeout.ms", "group.min.session.timeout.ms");

  const fields = Object.fromEntries(
    BROKER_PROPERTY_FIELDS.map(([field, property]) => {
      const value = get(property);
      return [field, typeof value === "bigint" ? toSafeNumber(value) : value];
    }),
  ) as unknown as BrokerPropertyFields;

  return {
    ...fields,
    listeners,
    advertisedListeners,
    interBrokerListenerName,
    processRoles,
    quorum,
    listenerSasl,
    listenerMaxConnections: listenerLimits,
    logDirs: get<string[] | null>("log.dirs") ?? get<string[]>("log.dir"),
    // Left at its default, the bound grows with socket.request.max.bytes, so that raising one alone never fails the check above.
    queuedMaxRequestBytes: isSet("queued.max.request.bytes")
      ? num("queued.max.request.bytes")
      : Math.max(num("queued.max.request.bytes"), num("socket.request.max.bytes")),
    maxConnectionsPerIpOverrides: perIpOverrides,
    values,
    staticConfigs: Object.fromEntries([...staticLayer].map(([name, { text }]) => [name, text])),
    dynamicConfigs: Object.fromEntries([...dynamicLayer].map(([name, { text }]) => [name, text])),
  };
}

/** The same static configuration with a new set of dynamic per-broker properties (replacing the previous set). */
export function withDynamicConfigs(config: BrokerConfig, dynamic: Readonly<Record<string, string>>): BrokerConfig {
  return parseBrokerConfig(config.staticConfigs, dynamic);
}

// ---------------------------------------------------------------------------
// Command line

/**
 * `[path/to/server.properties] [--override key=value ...]`: the file (if
 * any) read as Java properties, then the overrides, which win. Every problem
 * is a ConfigError; one about a property read from the file names its line.
 */
export function loadBrokerConfig(argv: readonly string[]): BrokerConfig {
  let file: string | null = null;
  const overrides: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--override" || arg.startsWith("--override=")) {
      const pair = arg === "--override" ? argv[++i] : arg.slice("--override=".length);
      if (pair === undefined) throw new ConfigError("--override needs a key=value argument");
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new ConfigError(`--override expects key=value, got: ${pair}`);
      overrides[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    } else if (arg.startsWith("-")) throw new ConfigError(`Unknown option ${arg}; usage: [server.properties] [--override key=value ...]`);
    else if (file !== null) throw new ConfigError(`Only one properties file may be given (got ${file} and ${arg})`);
    else file = arg;
  }

  const fromFile: Record<string, string> = {};
  const lineOf = new Map<string, number>();
  if (file !== null) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(`Cannot read properties file ${file}: ${(error as Error).message}`);
    }
    try {
      for (const entry of parsePropertiesEntries(text, file)) {
        fromFile[entry.key] = entry.value;
        lineOf.set(entry.key, entry.line);
      }
    } catch (error) {
      if (error instanceof PropertiesSyntaxError) throw new ConfigError(error.message);
      throw error;
    }
  }
  try {
    return parseBrokerConfig({ ...fromFile, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError && error.property && !(error.property in overrides) && lineOf.has(error.property))
      throw new ConfigError(`${file}:${lineOf.get(error.property)}: ${error.message}`, error.property);
    throw error;
  }
}
