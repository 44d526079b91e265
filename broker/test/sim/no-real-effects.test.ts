import assert from "node:assert/strict";
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";
import { it } from "node:test";
import { runSimulation } from "../../sim/run";

/**
 * A node built by the simulator must touch no real clock, timer, disk or
 * socket: each would make a seed replay differently. The real ones are
 * wrapped for the length of a few runs, and any call made from the broker's
 * own code (broker/src) is recorded with where it came from.
 */
it("a simulated node reads no real clock, sets no real timer, and touches no real disk or socket", async () => {
  const calls = new Set<string>();
  const restore: Array<() => void> = [];
  const watch = (owner: any, name: string) => {
    const original = owner[name];
    owner[name] = function (this: unknown, ...args: unknown[]) {
      const stack = new Error().stack ?? "";
      // The first two frames in the broker's code: the seam's default (runtime/) and who fell back on it.
      const fromBroker = stack.split("\n").slice(2).filter((line) => line.includes("/broker/src/")).slice(0, 2);
      if (fromBroker.length > 0) calls.add(`${name} from ${fromBroker.map((line) => line.trim()).join(" <- ")}`);
      return original.apply(this, args);
    };
    restore.push(() => (owner[name] = original));
  };
  watch(Date, "now");
  for (const name of ["setTimeout", "setInterval", "setImmediate"]) watch(globalThis, name);
  for (const name of ["openSync", "writeSync", "readSync", "fsyncSync", "readFileSync", "writeFileSync", "statSync", "readdirSync", "mkdirSync", "existsSync", "renameSync", "unlinkSync", "rmSync", "statfsSync"]) watch(fs, name);
  for (const name of ["createServer", "connect", "createConnection"]) watch(net, name);
  syncBuiltinESMExports();
  try {
    for (let seed = 1; seed <= 10; seed++) {
      const result = await runSimulation({ seed, durationMs: 10_000 });
      assert.equal(result.failure, null, `seed ${seed}: ${result.failure}`);
    }
  } finally {
    for (const undo of restore) undo();
    syncBuiltinESMExports();
  }
  assert.deepEqual([...calls], []);
});
