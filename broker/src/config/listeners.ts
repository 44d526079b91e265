import { ConfigError, splitList, type BrokerConfigDef, type Layer, type ParsedValue } from "./definitions";
import { BROKER_CONFIG_DEFS, SASL_MECHANISMS, SECURITY_PROTOCOLS, type SaslMechanism, type SecurityProtocol } from "./broker-properties";
import { jaasUsers, JaasSyntaxError, parseJaasConfig } from "./jaas";

/*
 * Listeners and SASL: what to bind, what clients are told, which listener
 * brokers use, and how each SASL_PLAINTEXT listener authenticates, from
 * listeners, advertised.listeners, listener.security.protocol.map and the
 * per-listener properties (listener.name.<listener>.<property>).
 */

export interface ListenerConfig {
  /** Upper-cased, as Kafka normalises listener names. */
  name: string;
  /** Empty means every interface (bind) — never empty in advertisedListeners. IPv6 without brackets. */
  host: string;
  /** 0 binds a free port. */
  port: number;
  securityProtocol: SecurityProtocol;
}

/** How a SASL_PLAINTEXT listener authenticates clients. */
export interface ListenerSaslConfig {
  mechanisms: SaslMechanism[];
  /** Users (name to password) each mechanism accepts. */
  users: ReadonlyMap<SaslMechanism, ReadonlyMap<string, string>>;
}

/** The resolved properties of a configuration being built, read by name. */
export interface PropertyReader {
  get<T extends ParsedValue | null>(name: string): T;
  /** Whether the property was given (statically or dynamically) rather than left at its default. */
  isSet(name: string): boolean;
}

/** Kafka's per-listener overrides: listener.name.<listener, lower case>.<property>. */
export const LISTENER_PREFIXED = /^listener\.name\.([A-Za-z0-9_-]+)\.(.+)$/;
const jaasSuffix = (mechanism: SaslMechanism) => `${mechanism.toLowerCase()}.sasl.jaas.config`;

/** The definition of a listener-prefixed property this broker understands. */
export function listenerPropertyDef(name: string): BrokerConfigDef | undefined {
  const suffix = LISTENER_PREFIXED.exec(name)?.[2];
  if (suffix === "sasl.enabled.mechanisms") return { ...BROKER_CONFIG_DEFS.get(suffix)!, name, default: null };
  if (suffix === "max.connections") return { ...BROKER_CONFIG_DEFS.get(suffix)!, name, default: null };
  if (SASL_MECHANISMS.some((mechanism) => suffix === jaasSuffix(mechanism)))
    return { name, type: "PASSWORD", default: null, mode: "read-only", doc: "JAAS login module of one SASL mechanism on one listener" };
  // Kafka's other per-listener (or per-listener-and-mechanism) settings: accepted, not acted on.
  const base = suffix?.replace(/^(plain|scram-sha-256|scram-sha-512|gssapi|oauthbearer)\.(?=sasl\.)/, "");
  const def = base === undefined ? undefined : BROKER_CONFIG_DEFS.get(base);
  if (def?.unused) return { ...def, name, default: null, mode: "read-only" };
  return undefined;
}

const LISTENER = /^([A-Za-z0-9_-]+):\/\/(\[[0-9A-Za-z:.%]*\]|[^:/[\]]*):(\d+)$/;
const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, "$1");

/** `NAME://host:port,...` (Kafka's listener syntax; IPv6 hosts in brackets). Only bound listeners need distinct ports. */
function parseListeners(property: string, text: string, protocolOf: (name: string) => SecurityProtocol): ListenerConfig[] {
  const bind = property === "listeners";
  const invalid = (reason: string) => new ConfigError(`Invalid value ${text} for configuration ${property}: ${reason}`, property);
  const listeners = splitList(text).map((entry) => {
    const match = LISTENER.exec(entry);
    if (!match || Number(match[3]) > 65535) throw invalid(`unable to parse ${entry} as NAME://host:port`);
    const name = match[1].toUpperCase();
    return { name, host: unbracket(match[2]), port: Number(match[3]), securityProtocol: protocolOf(name) };
  });
  const names = listeners.map((listener) => listener.name);
  if (new Set(names).size !== names.length) throw invalid("each listener must have a different name");
  const bound = listeners.filter((listener) => listener.port !== 0).map((listener) => `${listener.host}:${listener.port}`);
  if (bind && new Set(bound).size !== bound.length) throw invalid("each listener must have a different port");
  return listeners;
}

function parseProtocolMap(text: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const entry of splitList(text)) {
    const [name, protocol, ...rest] = entry.split(":").map((part) => part.trim().toUpperCase());
    if (!name || rest.length > 0 || !(SECURITY_PROTOCOLS as readonly string[]).includes(protocol))
      throw new ConfigError(
        `Invalid value ${text} for configuration listener.security.protocol.map: ${entry} is not NAME:PROTOCOL with PROTOCOL one of ${SECURITY_PROTOCOLS.join(", ")}`,
        "listener.security.protocol.map",
      );
    map.set(name, protocol as SecurityProtocol);
  }
  return map;
}

const WILDCARD_HOSTS = new Set(["", "0.0.0.0", "::"]);

const LOGIN_MODULES: Record<SaslMechanism, string> = {
  PLAIN: "org.apache.kafka.common.security.plain.PlainLoginModule",
  "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
  "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
};

/**
 * The mechanisms and users of each SASL_PLAINTEXT listener. Users are the
 * `user_<name>="<password>"` options of a mechanism's JAAS login module
 * (listener.name.<listener>.<mechanism>.sasl.jaas.config), which is how Kafka
 * configures PLAIN. Kafka keeps SCRAM credentials in the metadata log instead;
 * here a SCRAM mechanism whose login module lists no users takes the users of
 * the listener's PLAIN login module, and the broker derives their SCRAM
 * credentials at startup. SSL and SASL_SSL listeners are refused: this broker
 * has no TLS.
 */
function saslListenerConfigs(listeners: ListenerConfig[], layer: Layer, defaultMechanisms: string[]): Map<string, ListenerSaslConfig> {
  const prefixed = new Map<string, Map<string, { property: string; text: string }>>();
  for (const [property, { text }] of layer) {
    const match = LISTENER_PREFIXED.exec(property);
    if (!match) continue;
    const listenerName = match[1].toUpperCase();
    if (!listeners.some((listener) => listener.name === listenerName))
      throw new ConfigError(`${property} names listener ${listenerName}, which is not in listeners`, property);
    const properties = prefixed.get(listenerName) ?? new Map();
    prefixed.set(listenerName, properties);
    if (properties.has(match[2])) throw new ConfigError(`${property} is given twice (listener names are case-insensitive)`, property);
    properties.set(match[2], { property, text });
  }

  const result = new Map<string, ListenerSaslConfig>();
  for (const listener of listeners) {
    const protocol = listener.securityProtocol;
    if (protocol === "SSL" || protocol === "SASL_SSL")
      throw new ConfigError(`Listener ${listener.name} uses ${protocol}, which needs TLS; this broker supports PLAINTEXT and SASL_PLAINTEXT listeners`, "listeners");
    const own = prefixed.get(listener.name) ?? new Map<string, { property: string; text: string }>();
    if (protocol !== "SASL_PLAINTEXT") continue;

    const mechanismsEntry = own.get("sasl.enabled.mechanisms");
    const mechanismsProperty = mechanismsEntry?.property ?? "sasl.enabled.mechanisms";
    const mechanisms = mechanismsEntry ? splitList(mechanismsEntry.text) : defaultMechanisms;
    if (mechanisms.length === 0) throw new ConfigError(`${mechanismsProperty} is empty, so SASL listener ${listener.name} could accept no client`, mechanismsProperty);
    for (const mechanism of mechanisms)
      if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism))
        throw new ConfigError(
          `Invalid value ${mechanisms.join(",")} for configuration ${mechanismsProperty}: listener ${listener.name} enables ${mechanism}, ` +
            `but this broker supports ${SASL_MECHANISMS.join(", ")}`,
          mechanismsProperty,
        );

    const jaas = new Map<SaslMechanism, { property: string; users: Map<string, string> }>();
    for (const mechanism of SASL_MECHANISMS) {
      const entry = own.get(jaasSuffix(mechanism));
      if (!entry) continue;
      let module;
      try {
        module = parseJaasConfig(entry.text);
      } catch (error) {
        if (error instanceof JaasSyntaxError) throw new ConfigError(`Invalid value [hidden] for configuration ${entry.property}: ${error.message}`, entry.property);
        throw error;
      }
      if (module.loginModule !== LOGIN_MODULES[mechanism])
        throw new ConfigError(`Invalid value [hidden] for configuration ${entry.property}: the login module of ${mechanism} is ${LOGIN_MODULES[mechanism]}`, entry.property);
      jaas.set(mechanism, { property: entry.property, users: jaasUsers(module) });
    }

    const users = new Map<SaslMechanism, ReadonlyMap<string, string>>();
    const plainProperty = `listener.name.${listener.name.toLowerCase()}.${jaasSuffix("PLAIN")}`;
    for (const mechanism of new Set(mechanisms as SaslMechanism[])) {
      let list = jaas.get(mechanism)?.users;
      if (mechanism !== "PLAIN" && (list === undefined || list.size === 0)) list = jaas.get("PLAIN")?.users;
      if (list === undefined || list.size === 0) {
        const property = mechanism === "PLAIN" ? plainProperty : `${plainProperty} (or listener.name.${listener.name.toLowerCase()}.${jaasSuffix(mechanism)})`;
        throw new ConfigError(
          `Listener ${listener.name} enables ${mechanism} but no users: set ${property} to ${LOGIN_MODULES.PLAIN} required user_<name>="<password>";`,
          jaas.get(mechanism)?.property ?? plainProperty,
        );
      }
      users.set(mechanism, list);
    }
    result.set(listener.name, { mechanisms: [...users.keys()], users });
  }
  return result;
}


/**
 * The listeners to bind and to advertise, and the SASL settings of each
 * SASL_PLAINTEXT listener. Controller listeners need no map entry while the
 * map is left at its default (as in Kafka).
 */
export function resolveListeners(
  config: PropertyReader,
  staticLayer: Layer,
): { listeners: ListenerConfig[]; advertisedListeners: ListenerConfig[]; listenerSasl: Map<string, ListenerSaslConfig> } {
  const { get, isSet } = config;
  const protocolMap = parseProtocolMap(get<string>("listener.security.protocol.map"));
  const controllerListenerNames = splitList(get<string | null>("controller.listener.names") ?? "").map((name) => name.toUpperCase());
  const protocolOf = (property: string) => (name: string) => {
    const protocol = protocolMap.get(name) ?? (!isSet("listener.security.protocol.map") && controllerListenerNames.includes(name) ? "PLAINTEXT" : undefined);
    if (!protocol) throw new ConfigError(`No security protocol defined for listener ${name} in listener.security.protocol.map`, property);
    return protocol;
  };
  const listeners = parseListeners("listeners", get<string>("listeners"), protocolOf("listeners"));
  const advertisedText = get<string | null>("advertised.listeners");
  const advertised = advertisedText === null ? listeners : parseListeners("advertised.listeners", advertisedText, protocolOf("advertised.listeners"));
  for (const listener of advertisedText === null ? [] : advertised) {
    if (!listeners.some((bound) => bound.name === listener.name))
      throw new ConfigError(`advertised.listeners may only use names defined in listeners; ${listener.name} is not one of them`, "advertised.listeners");
    if (listener.host === "0.0.0.0" || listener.host === "::")
      throw new ConfigError(`advertised.listeners cannot use the nonroutable meta-address ${listener.host}`, "advertised.listeners");
  }
  const advertisedListeners = advertised
    .filter((listener) => !controllerListenerNames.includes(listener.name))
    .map((listener) => (WILDCARD_HOSTS.has(listener.host) ? { ...listener, host: "localhost" } : listener));

  const listenerSasl = saslListenerConfigs(listeners, staticLayer, get<string[]>("sasl.enabled.mechanisms"));
  return { listeners, advertisedListeners, listenerSasl };
}

/** inter.broker.listener.name, else security.inter.broker.protocol; a broker must advertise it. */
export function resolveInterBrokerListenerName(config: PropertyReader, advertisedListeners: ListenerConfig[], isBroker: boolean): string {
  const { get, isSet } = config;
  if (isSet("inter.broker.listener.name") && isSet("security.inter.broker.protocol"))
    throw new ConfigError("Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.", "inter.broker.listener.name");
  const interBrokerListenerName = get<string | null>("inter.broker.listener.name")?.toUpperCase() ?? get<string>("security.inter.broker.protocol");
  if (isBroker && !advertisedListeners.some((listener) => listener.name === interBrokerListenerName))
    throw new ConfigError(
      `inter.broker.listener.name must be a listener name defined in advertised.listeners (or listeners): ${interBrokerListenerName} is not; ` +
        `set it to one of: ${advertisedListeners.map((listener) => listener.name).join(", ")}`,
      "inter.broker.listener.name",
    );
  return interBrokerListenerName;
}

/** listener.name.<listener>.max.connections, by listener name (upper case). */
export function listenerMaxConnections(layers: Layer[], listeners: ListenerConfig[]): Map<string, number> {
  const limits = new Map<string, number>();
  for (const [property, { value }] of layers.flatMap((layer) => [...layer])) {
    const match = LISTENER_PREFIXED.exec(property);
    if (match?.[2] !== "max.connections") continue;
    const listenerName = match[1].toUpperCase();
    if (!listeners.some((listener) => listener.name === listenerName))
      throw new ConfigError(`${property} names listener ${listenerName}, which is not in listeners`, property);
    limits.set(listenerName, value as number);
  }
  return limits;
}
