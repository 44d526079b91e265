import type { TestBroker } from "./broker";

/** The users of the SASL test listener; bob's password needs JAAS quoting and SCRAM name escaping does not. */
export const SASL_USERS = { alice: "alice-secret", bob: 'b0b "quoted" =,pass' } as const;

const jaasQuote = (value: string) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/**
 * Broker overrides for a PLAINTEXT listener (the test helper's bootstrap)
 * and a SASL_PLAINTEXT one whose users are SASL_USERS, given the way Kafka
 * configures PLAIN users.
 */
export function saslOverrides(mechanisms = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"): Record<string, string> {
  const users = Object.entries(SASL_USERS)
    .map(([name, password]) => `user_${name}=${jaasQuote(password)}`)
    .join(" ");
  return {
    listeners: "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
    "sasl.enabled.mechanisms": mechanisms,
    "listener.name.sasl_plaintext.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`,
  };
}

export function saslPort(node: TestBroker): number {
  return node.broker.boundPort("SASL_PLAINTEXT");
}

export function saslBootstrap(node: TestBroker): string {
  return `127.0.0.1:${saslPort(node)}`;
}
