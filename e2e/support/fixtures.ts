import { test as base, expect, type Page } from "@playwright/test";
import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TopicPage } from "../pages/topic-page";
import { TopicsPage } from "../pages/topics-page";
import { ProducePage } from "../pages/produce-page";
import { GroupPage } from "../pages/group-page";

let counter = 0;

interface Fixtures {
  /** A topic name unique to this test (each test works on its own topic). */
  topicName: string;
  kafka: { admin: Admin; producer: Producer; client: Kafka };
  topicsPage: TopicsPage;
  topicPage: TopicPage;
  producePage: ProducePage;
  groupPage: GroupPage;
  /** Dialogs (alert, confirm) the page opened during the test; script injection would show up here. */
  dialogs: string[];
}

export const test = base.extend<Fixtures>({
  topicName: async ({}, use, info) => {
    const slug = info.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40).replace(/-+$/, "");
    await use(`e2e-${slug}-${Date.now().toString(36)}-${++counter}`);
  },
  kafka: async ({}, use) => {
    const kafka = new Kafka({ clientId: "sluice-e2e", brokers: [process.env.SLUICE_E2E_BROKERS!], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    await use({ admin, producer, client: kafka });
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  },
  topicsPage: async ({ page }, use) => use(new TopicsPage(page)),
  topicPage: async ({ page }, use) => use(new TopicPage(page)),
  producePage: async ({ page }, use) => use(new ProducePage(page)),
  groupPage: async ({ page }, use) => use(new GroupPage(page)),
  dialogs: async ({ page }, use) => {
    const seen: string[] = [];
    page.on("dialog", async (dialog) => {
      seen.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    });
    await use(seen);
  },
});

export { expect };

/** Writes a full-page screenshot to test-results/screenshots/<name>.png for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test-results/screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
