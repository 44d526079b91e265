import { systemClock } from "../../src/runtime/clock";
import { nodeFileSystem } from "../../src/runtime/fs";
import { nodeNetwork } from "../../src/runtime/network";
import { secureRandomBytes } from "../../src/runtime/random";
import { systemScheduler } from "../../src/runtime/scheduler";

/**
 * The real seams: the machine's disk, clock, timers, randomness and network.
 * Below the composition root every part takes its seams as required
 * arguments; a test that runs a part on the real machine passes these (and
 * overrides the ones it fakes: `{ ...realRuntime, fs: faulty }`), so that no
 * constructor picks a real effect on its own.
 */
export const realRuntime = Object.freeze({
  fs: nodeFileSystem,
  clock: systemClock,
  scheduler: systemScheduler,
  random: secureRandomBytes,
  network: nodeNetwork,
});
