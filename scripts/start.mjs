#!/usr/bin/env node
// `npm start`: the bundled broker (broker/config/server.properties: 127.0.0.1:9092,
// data in ./data/broker-1) and the console, wired together. With KAFKA_BROKERS set,
// only the console starts, pointed at that cluster. Ctrl-C stops both.
// `npm run demo` (--demo): the same, then the demo workload (scripts/demo/main.ts):
// sample topics, a producer that keeps writing, and two consumer groups.
/* global fetch -- Node 20 has fetch built in */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const external = Boolean(process.env.KAFKA_BROKERS);
const brokers = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
const demo = process.argv.slice(2).includes("--demo");
const children = [];
let stopping = false;

function run(name, args, env = {}) {
  // Own process group: Ctrl-C reaches this script only, which then stops each child once, in order.
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
    env: { NEXT_TELEMETRY_DISABLED: "1", ...process.env, ...env },
  });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[sluice] ${name} exited (${signal ?? code}); stopping`);
      stop(code || 1);
    }
  });
  return child;
}

function reachable(address) {
  const [h, p] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  return new Promise((resolve) => {
    const socket = net.connect({ host: h, port: p }, () => (socket.destroy(), resolve(true)));
    socket.on("error", () => resolve(false));
  });
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (stopping) return;
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Why this process could not listen on host:port now (an error code such as EADDRINUSE), or null when it could. */
function listenProblem(listenHost, listenPort) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (error) => resolve(error.code ?? String(error)));
    server.listen(listenPort, listenHost, () => server.close(() => resolve(null)));
  });
}

/** The newest modification time under dir (ms), 0 when it does not exist. */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** The broker runs compiled (broker/dist); build it when it is missing or older than its sources. */
function ensureBrokerBuilt() {
  const main = path.join(root, "broker", "dist", "main.js");
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(path.join(root, "broker", "src"))) return;
  console.error("[sluice] building the broker (broker/dist)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "build", "--workspace", "broker"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (build.status !== 0) {
    console.error("[sluice] the broker build failed");
    process.exit(1);
  }
}

const alive = (child) => child.exitCode === null && child.signalCode === null;

function terminate(child, graceMs) {
  if (!alive(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => (clearTimeout(force), resolve()));
    child.kill("SIGTERM");
  });
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  // Last started, first stopped: the demo's consumers leave their groups and the
  // console lets go of its connections while the broker is still there to answer.
  for (const child of [...children].reverse()) await terminate(child, 10_000);
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
process.on("exit", () => children.forEach((c) => alive(c) && c.kill("SIGKILL")));

/** True for localhost, 127.0.0.0/8 and ::1 (as server/auth/exposure.ts). */
const isLoopback = (name) => name === "localhost" || name === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);

// Safe by default: without users (SLUICE_CONFIG) the console has no login, so it serves only on loopback
// unless SLUICE_ALLOW_UNAUTHENTICATED=true says otherwise, with a warning. A bad configuration stops here, naming the field.
let users = 0;
let sso = false;
if (process.env.SLUICE_CONFIG) {
  const check = spawnSync(process.execPath, ["--import", "tsx", "scripts/config-check.ts"], { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (check.status !== 0) process.exit(1);
  ({ users, sso } = JSON.parse(check.stdout.trim().split("\n").at(-1)));
}
const allowOpen = process.env.SLUICE_ALLOW_UNAUTHENTICATED === "true";
const login = users > 0 || sso;
if (!login && !isLoopback(host)) {
  if (!allowOpen) {
    console.error(
      `[sluice] no users are configured, so the console serves only on loopback and not on ${host}: configure users in SLUICE_CONFIG (see the README), or set SLUICE_ALLOW_UNAUTHENTICATED=true to let anyone who reaches ${host}:${port} change the cluster`,
    );
    process.exit(1);
  }
  console.error(`[sluice] WARNING: no users are configured and SLUICE_ALLOW_UNAUTHENTICATED=true: anyone who reaches ${host}:${port} can change the cluster`);
}

// Checked before anything starts, so a taken port is one line saying what to do, not a stack trace from Next.js.
const portProblem = await listenProblem(host, port);
if (portProblem) {
  const why = { EADDRINUSE: "is already in use", EACCES: "needs privileges this user lacks" }[portProblem] ?? `cannot be listened on (${portProblem})`;
  console.error(`[sluice] port ${port} on ${host} ${why}; stop what uses it, or start the console on another port: PORT=${port + 1} npm ${demo ? "run demo" : "start"}`);
  process.exit(1);
}

if (!external) {
  if (await reachable(brokers)) {
    console.error(`[sluice] something already listens on ${brokers}; stop it or set KAFKA_BROKERS to use it`);
    process.exit(1);
  }
  // INIT_CWD: the broker resolves relative paths (log.dirs=./data/broker-1) against the repository root.
  ensureBrokerBuilt();
  run("broker", ["broker/dist/main.js", "broker/config/server.properties"], { INIT_CWD: root });
  await waitFor(`the broker on ${brokers}`, () => reachable(brokers), 30_000);
}

const built = existsSync(path.join(root, ".next", "BUILD_ID"));
if (!built) console.error("[sluice] no production build (.next); running the development server. `npm run build` makes a faster one.");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
run("console", [nextBin, built ? "start" : "dev", "-H", host, "-p", String(port)], { KAFKA_BROKERS: brokers });
const ready = () => fetch(`http://${host}:${port}/api/cluster`).then(() => true, () => false);
await waitFor("the console", ready, 180_000);
const url = `http://${host}:${port}`;
const then = demo ? "Starting the demo workload ..." : `Ctrl-C stops ${external ? "it" : "both"}.`;
const access = login ? `${users} user(s)${sso ? " and single sign-on" : ""}: a login is needed` : allowOpen ? "no users: anyone who reaches it can change the cluster" : "no users, so no login: served on loopback only";
console.log(`\n  Sluice console: ${url}  (Kafka: ${brokers}${external ? "" : ", the bundled broker"}; ${access})\n  ${then}\n`);
if (demo && !stopping) {
  // The react-server condition lets the demo read the cluster settings through the console's own (server-only) module.
  run("demo", ["--conditions=react-server", "--import", "tsx", "scripts/demo/main.ts"], { KAFKA_BROKERS: brokers, SLUICE_CONSOLE_URL: url });
}
