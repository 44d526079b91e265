import { ConfigError, splitList } from "./definitions";
import type { ListenerConfig, PropertyReader } from "./listeners";

/*
 * The metadata quorum's settings (KRaft): the roles of this node, the voters,
 * the bootstrap servers and the controller listeners, checked together as
 * Kafka's KafkaConfig checks them, so that a node whose settings could never
 * join a quorum is refused at start-up with the property at fault named.
 */

export type ProcessRole = "broker" | "controller";

/** One voter of controller.quorum.voters: id@host:port. */
export interface QuorumVoter {
  readonly id: number;
  /** Without brackets for IPv6. */
  readonly host: string;
  readonly port: number;
}

export interface QuorumConfig {
  readonly voters: readonly QuorumVoter[];
  /** controller.quorum.bootstrap.servers, as given. */
  readonly bootstrapServers: readonly { host: string; port: number }[];
  /** Upper-cased; the first is the listener peers dial. */
  readonly controllerListenerNames: readonly string[];
  /** Whether this node is a voter (process.roles includes controller) or an observer (broker only). */
  readonly isVoter: boolean;
}

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, "$1");

function parseVoters(entries: readonly string[]): QuorumVoter[] {
  const voters = entries.map((entry) => {
    const at = entry.indexOf("@");
    const colon = entry.lastIndexOf(":");
    return { id: Number(entry.slice(0, at)), host: unbracket(entry.slice(at + 1, colon)), port: Number(entry.slice(colon + 1)) };
  });
  for (const voter of voters) {
    if (!Number.isSafeInteger(voter.id) || voter.id > 2 ** 31 - 1)
      throw new ConfigError(`Invalid value ${entries.join(",")} for configuration controller.quorum.voters: voter id ${voter.id} is not an INT`, "controller.quorum.voters");
    if (voter.port < 1 || voter.port > 65535)
      throw new ConfigError(`Invalid value ${entries.join(",")} for configuration controller.quorum.voters: port ${voter.port} of voter ${voter.id} is not a port`, "controller.quorum.voters");
  }
  const ids = voters.map((voter) => voter.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined)
    throw new ConfigError(`Invalid value ${entries.join(",")} for configuration controller.quorum.voters: voter ${repeated} is given twice`, "controller.quorum.voters");
  return voters;
}

function parseBootstrapServers(entries: readonly string[]): { host: string; port: number }[] {
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(":");
    return { host: unbracket(entry.slice(0, colon)), port: Number(entry.slice(colon + 1)) };
  });
}

/**
 * The quorum this node belongs to, or null when it runs as a cluster of one
 * (combined roles and no voters: Sluice's default, which needs no quorum).
 */
export function resolveQuorum(config: PropertyReader, nodeId: number, processRoles: readonly ProcessRole[], listeners: readonly ListenerConfig[]): QuorumConfig | null {
  const { get } = config;
  const voters = parseVoters(get<string[]>("controller.quorum.voters"));
  const bootstrapServers = parseBootstrapServers(get<string[]>("controller.quorum.bootstrap.servers"));
  const controllerListenerNames = splitList(get<string | null>("controller.listener.names") ?? "").map((name) => name.toUpperCase());
  const isController = processRoles.includes("controller");
  const isBroker = processRoles.includes("broker");

  if (voters.length === 0) {
    if (bootstrapServers.length > 0)
      throw new ConfigError(
        "controller.quorum.bootstrap.servers is set but controller.quorum.voters is not: this broker runs a static quorum only; list the voters as id@host:port in controller.quorum.voters",
        "controller.quorum.voters",
      );
    if (!isBroker || !isController)
      throw new ConfigError(
        `process.roles=${processRoles.join(",")} needs a metadata quorum: set controller.quorum.voters (id@host:port,...); only a combined broker,controller node runs without one`,
        "controller.quorum.voters",
      );
    return null;
  }

  if (controllerListenerNames.length === 0)
    throw new ConfigError("controller.listener.names must name at least one listener when controller.quorum.voters is set", "controller.listener.names");
  const listenerNames = listeners.map((listener) => listener.name);
  const inVoters = voters.some((voter) => voter.id === nodeId);
  if (isController) {
    if (!inVoters)
      throw new ConfigError(
        `process.roles includes controller, so node.id ${nodeId} must be one of the voters in controller.quorum.voters (${voters.map((voter) => voter.id).join(", ")})`,
        "controller.quorum.voters",
      );
    const missing = controllerListenerNames.filter((name) => !listenerNames.includes(name));
    if (missing.length > 0)
      throw new ConfigError(
        `controller.listener.names must only contain values appearing in listeners when process.roles includes controller: ${missing.join(", ")} is not in listeners`,
        "controller.listener.names",
      );
    if (!isBroker) {
      const others = listenerNames.filter((name) => !controllerListenerNames.includes(name));
      if (others.length > 0)
        throw new ConfigError(`With process.roles=controller, listeners must only contain the controller listeners (${controllerListenerNames.join(", ")}); ${others.join(", ")} is not one`, "listeners");
    }
  } else {
    if (inVoters)
      throw new ConfigError(`process.roles=broker, so node.id ${nodeId} must not be one of the voters in controller.quorum.voters`, "controller.quorum.voters");
    const bound = controllerListenerNames.filter((name) => listenerNames.includes(name));
    if (bound.length > 0)
      throw new ConfigError(`controller.listener.names must not contain a value appearing in listeners when process.roles=broker: ${bound.join(", ")} is in listeners`, "controller.listener.names");
  }
  return { voters, bootstrapServers, controllerListenerNames, isVoter: isController };
}
