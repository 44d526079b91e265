import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { ensureMetaProperties, formatStorage, isClusterId, newClusterId, StorageFormatError } from "../../src/metadata/meta-properties";
import { freePort, spawnBroker } from "../helpers/broker-process";
import { run } from "../helpers/processes";
import { realRuntime } from "../helpers/runtime";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-format-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const BROKER_ROOT = path.resolve(import.meta.dirname, "../..");
const { fs, random } = realRuntime;

describe("storage format (meta.properties)", () => {
  it("writes the cluster id and node id once into every log dir", () => {
    const root = tempDir();
    const logDirs = [path.join(root, "a"), path.join(root, "b")];
    const clusterId = newClusterId(random);
    assert.ok(isClusterId(clusterId));
    assert.deepEqual(formatStorage(fs, logDirs, 2, clusterId), { formatted: logDirs, skipped: [] });
    assert.equal(readFileSync(path.join(logDirs[1], "meta.properties"), "utf8"), `version=1\ncluster.id=${clusterId}\nnode.id=2\n`);
    assert.throws(() => formatStorage(fs, logDirs, 2, clusterId), /formatted already .*--ignore-formatted/);
    assert.deepEqual(formatStorage(fs, logDirs, 2, clusterId, { ignoreFormatted: true }), { formatted: [], skipped: logDirs });
    // Another cluster or node is refused even with --ignore-formatted.
    assert.throws(() => formatStorage(fs, logDirs, 3, clusterId, { ignoreFormatted: true }), StorageFormatError);
    assert.throws(() => formatStorage(fs, logDirs, 2, newClusterId(random), { ignoreFormatted: true }), StorageFormatError);
    assert.throws(() => formatStorage(fs, [path.join(root, "c")], 2, "not-a-uuid"), /not a Kafka Uuid/);
    assert.equal(ensureMetaProperties(fs, logDirs, 2, random, { formatMissing: false }), clusterId);
  });

  it("refuses a node on storage of another node or cluster, and a quorum node on unformatted storage", () => {
    const root = tempDir();
    const clusterId = newClusterId(random);
    formatStorage(fs, [path.join(root, "a")], 1, clusterId);
    assert.throws(() => ensureMetaProperties(fs, [path.join(root, "a")], 2, random), /belongs to node.id 1, but this node is node.id 2/);
    formatStorage(fs, [path.join(root, "b")], 1, newClusterId(random));
    assert.throws(() => ensureMetaProperties(fs, [path.join(root, "a"), path.join(root, "b")], 1, random), /belongs to cluster/);
    assert.throws(() => ensureMetaProperties(fs, [path.join(root, "c")], 1, random, { formatMissing: false }), /not formatted.*format-storage/);
    // A cluster of one formats its own on first start.
    const made = ensureMetaProperties(fs, [path.join(root, "d")], 1, random);
    assert.ok(isClusterId(made));
  });

  it("format-storage formats from a server.properties, and the node refuses a mismatch with exit code 3", async () => {
    const root = tempDir();
    const [port, controllerPort] = [await freePort(), await freePort()];
    const properties = path.join(root, "server.properties");
    writeFileSync(
      properties,
      [
        "node.id=1",
        "process.roles=broker,controller",
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        "controller.listener.names=CONTROLLER",
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `log.dirs=${path.join(root, "data")}`,
      ].join("\n"),
    );
    const tsx = [process.execPath, "--import", "tsx", path.join(BROKER_ROOT, "src/main.ts"), "format-storage"];
    const noId = await run(tsx[0], [...tsx.slice(1), "--config", properties]);
    assert.equal(noId.code, 2);
    assert.match(noId.stderr, /--cluster-id is required/);

    const unformatted = await spawnBroker([properties], { waitForListening: false });
    assert.equal(await unformatted.exited, 3);
    assert.match(unformatted.output(), /not formatted/);

    const clusterId = newClusterId(random);
    const formatted = await run(tsx[0], [...tsx.slice(1), "--cluster-id", clusterId, "--config", properties]);
    assert.equal(formatted.code, 0, formatted.stderr);
    assert.match(formatted.stdout, new RegExp(`Formatted .*data for cluster ${clusterId}, node.id 1`));

    const otherNode = await spawnBroker([properties, "--override", "node.id=2", "--override", `controller.quorum.voters=2@127.0.0.1:${controllerPort}`], { waitForListening: false });
    assert.equal(await otherNode.exited, 3);
    assert.match(otherNode.output(), /storage does not match the configuration; not starting.*belongs to node.id 1, but this node is node.id 2/);
  });
});
