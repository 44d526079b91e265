import "server-only";

// kafkajs is CommonJS and its enums are not visible to ESM named imports; Kafka's own codes.
export const ConfigResourceTypes = { TOPIC: 2, BROKER: 4 } as const;
