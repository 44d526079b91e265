import { randomBytes } from "node:crypto";

/**
 * Secure random bytes (SCRAM nonces and salts). Tests and the simulator
 * pass a seeded source so that a run replays.
 */
export type RandomBytes = (size: number) => Buffer;

export const secureRandomBytes: RandomBytes = (size) => randomBytes(size);
