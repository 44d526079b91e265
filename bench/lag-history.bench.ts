/**
 * The lag history's bench cases alone (they also run in `npm run bench:console`):
 *
 *   npx tsx bench/lag-history.bench.ts [--groups N] [--partitions N] [--days N] [--cycles N] [--size-only | --cycle-only | --chart-only]
 *
 * --chart-only times the group page's lag chart over a week of samples in
 * Chromium (needs a console build: npx next build).
 *
 * Defaults: 1,000 groups over 10,000 partitions, 7 days, 5 sampling cycles.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BenchBroker } from "../broker/bench/broker-node";
import { CliArgs } from "../broker/bench/cli-args";
import { chromium } from "@playwright/test";
import { Kafka, logLevel } from "kafkajs";
import { CHROMIUM_ARGS, ensureBuild } from "./console-server";
import { lagChartCase } from "./lag-chart-case";
import { lagHistorySizeCase, lagSamplerCycleCase, type BenchRow } from "./lag-history-cases";

const cli = new CliArgs();
const groups = Number(cli.option("--groups") ?? 1_000);
const partitions = Number(cli.option("--partitions") ?? 10_000);
const days = Number(cli.option("--days") ?? 7);
const cycles = Number(cli.option("--cycles") ?? 5);
const sizeOnly = cli.flag("--size-only");
const cycleOnly = cli.flag("--cycle-only");
const chartOnly = cli.flag("--chart-only");
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const rows: BenchRow[] = [];
if (!cycleOnly && !chartOnly) rows.push(...(await lagHistorySizeCase({ groups, partitions, days, log })));
if (chartOnly) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-lag-chart-"));
  const broker = await BenchBroker.start({ dir, overrides: ["group.initial.rebalance.delay.ms=0"] });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const kafka = new Kafka({ clientId: "sluice-lag-chart-bench", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    ensureBuild(log);
    rows.push(...(await lagChartCase({ browser, admin, port: broker.port, bootstrap: broker.bootstrap, dir, log })));
  } finally {
    await admin.disconnect();
    await browser.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
} else if (!sizeOnly) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-lag-bench-"));
  const broker = await BenchBroker.start({ dir, overrides: ["group.initial.rebalance.delay.ms=0"] });
  try {
    rows.push(...(await lagSamplerCycleCase({ port: broker.port, bootstrap: broker.bootstrap, groups, partitions, cycles, log })));
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
for (const r of rows) console.log(`${r.name}\n  ${r.figure}\n  target ${r.target}: ${r.met === null ? "-" : r.met ? "met" : "MISSED"}`);
