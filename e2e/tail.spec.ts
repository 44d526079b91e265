import { spawn } from "node:child_process";
import { expect, screenshot, test } from "./support/fixtures";
import { LiveTailSection } from "./pages/live-tail";

/** Produces one record per line with kcat (a client that is not the console's), and waits for it to finish. */
function kcatProduce(topic: string, lines: string[], partition?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ["-P", "-b", process.env.SLUICE_E2E_BROKERS!, "-t", topic, ...(partition === undefined ? [] : ["-p", String(partition)])];
    const child = spawn("kcat", args, { stdio: ["pipe", "ignore", "pipe"] });
    let errors = "";
    child.stderr.on("data", (c) => (errors += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}: ${errors}`))));
    child.stdin.end(lines.map((l) => `${l}\n`).join(""));
  });
}

// Counts the page's EventSources that are open, so a test can see that leaving closed them.
const countOpenEventSources = () => {
  const Native = window.EventSource;
  const state = window as unknown as { __openEventSources: number };
  state.__openEventSources = 0;
  window.EventSource = class extends Native {
    private counted = true;
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      state.__openEventSources++;
    }
    override close() {
      if (this.counted) state.__openEventSources--;
      this.counted = false;
      super.close();
    }
  };
};
const openEventSources = (page: import("@playwright/test").Page) => page.evaluate(() => (window as unknown as { __openEventSources: number }).__openEventSources);

test.describe("live tail", () => {
  test("records produced by kcat appear live; pause stops the list; leaving closes the stream", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    await kcatProduce(topicName, ["old-record"], 0);
    await page.addInitScript(countOpenEventSources);
    const live = new LiveTailSection(page);

    await topicPage.goto(topicName);
    await expect(topicPage.messageRows()).toHaveCount(1);
    await live.toggle().click();
    await expect(live.status()).toHaveAttribute("data-state", "live");
    expect(await openEventSources(page)).toBe(1);

    await kcatProduce(topicName, ["live-1", "live-2"], 0);
    await kcatProduce(topicName, ["live-3"], 1);
    // Newest first; the second kcat run produced after the first had finished.
    await expect(live.values()).toHaveText(["live-3", "live-2", "live-1"], { timeout: 5_000 });
    await expect(live.values().filter({ hasText: "old-record" })).toHaveCount(0);
    await expect(live.count()).toHaveText("3");
    await expect(live.rate()).toContainText("records/s");
    await screenshot(page, "live-tail");

    await live.pause().click();
    await expect(live.status()).toHaveAttribute("data-state", "paused");
    await kcatProduce(topicName, ["while-paused-1", "while-paused-2"], 0);
    await expect(page.getByTestId("live-waiting")).toHaveText("2 new while paused");
    await expect(live.count()).toHaveText("3");
    await expect(live.values().filter({ hasText: "while-paused" })).toHaveCount(0);
    await live.pause().click();
    await expect(live.count()).toHaveText("5");

    // Leaving the Messages tab (a client-side navigation) unmounts the tail, which closes its stream.
    await topicPage.tab("partitions").click();
    await expect(live.status()).toHaveCount(0);
    expect(await openEventSources(page)).toBe(0);
  });

  test("the live tail of one partition keeps only records with the search text", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    const live = new LiveTailSection(page);
    await topicPage.goto(topicName, { partition: "1", q: "order" });
    await live.toggle().click();
    await expect(live.status()).toHaveAttribute("data-state", "live");
    await kcatProduce(topicName, ["order-a", "payment-b"], 1);
    await kcatProduce(topicName, ["order-on-0"], 0);
    await expect(live.values()).toHaveText(["order-a"]);
    await kcatProduce(topicName, ["order-c"], 1);
    await expect(live.values()).toHaveText(["order-c", "order-a"]);
  });
});
