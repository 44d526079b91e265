import { expect, screenshot, test } from "./support/fixtures";

// The console under test samples every second (SLUICE_LAG_SAMPLE_MS=1000 in the global setup),
// so a status window is 10 s and a chart gains a point each second.

test.describe("lag history", () => {
  test("a group's lag chart appears and moves as samples arrive, zooms and resets, and its status shows with what it means", async ({ page, topicName, groupPage, kafka }) => {
    const groupId = `${topicName}-idle`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: `v${i}` })) });
    // A group that committed once and then stopped: no member, offsets still, records arriving.
    await kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: "2" }, { partition: 1, offset: "3" }] });
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await kafka.producer.send({ topic: topicName, messages: [{ partition: 0, value: "more" }, { partition: 1, value: "more" }] });
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    try {
      await groupPage.goto(groupId);
      const chart = page.getByTestId("lag-chart");
      await expect(chart).toBeVisible({ timeout: 20_000 });
      await expect(chart.locator("canvas")).toHaveCount(1);
      const lastPoint = async () => Number(await chart.getAttribute("data-last-point-ms"));
      const first = await lastPoint();
      expect(first).toBeGreaterThan(0);
      // New samples extend the line: the newest point moves forward.
      await expect.poll(lastPoint, { timeout: 20_000 }).toBeGreaterThan(first);

      // No member and offsets unmoved over the window while records arrive: STOPPED, explained.
      const status = page.getByTestId("group-lag-status");
      await expect(status).toHaveAttribute("data-status", "STOPPED", { timeout: 30_000 });
      await expect(page.getByTestId("group-lag-status-reason")).toContainText("no member of the group consumes the partition");
      await expect(status).toHaveAttribute("title", /STOPPED: The committed offset has not moved/);
      await expect(page.getByTestId("lag-status-legend")).toContainText("STALLED");
      await expect(page.getByTestId(`partition-status-${topicName}-0`).getByTestId("partition-lag-status")).toHaveText("STOPPED");
      await screenshot(page, "group-lag-history");

      // Drag across the plot to zoom in on a span; reset shows the whole range again.
      const plot = chart.locator(".u-over");
      const box = (await plot.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await expect(page.getByTestId("chart-reset-zoom")).toBeVisible();
      await page.getByTestId("chart-reset-zoom").click();
      await expect(page.getByTestId("chart-reset-zoom")).toHaveCount(0);

      // Lag in time over the same samples (estimated, marked ≈ on the axis).
      await page.getByTestId("lag-unit").selectOption("time");
      await expect(page).toHaveURL(/lunit=time/);
      await expect(page.getByTestId("lag-chart").locator(".u-legend")).toContainText("lag (s)");
      await expect(page.getByTestId("lag-chart-caption")).toContainText("Lag in time is estimated");
      await screenshot(page, "group-lag-in-time");
      await page.getByTestId("lag-unit").selectOption("records");

      // Per partition on demand, and the other ranges.
      await page.getByTestId("lag-breakdown").selectOption("partition");
      await expect(page.getByTestId("lag-chart").locator(".u-legend")).toContainText(`${topicName}/0`);
      await page.getByTestId("lag-range-1d").click();
      await expect(page).toHaveURL(/range=1d/);
      await expect(page.getByTestId("lag-chart")).toBeVisible();
    } finally {
      producing = false;
      await producer;
    }
  });

  test("the groups list covers every sampled group, says what its total covers, and sorts by status", async ({ page, topicName, kafka }) => {
    const stopped = `${topicName}-a-stopped`;
    const caughtUp = `${topicName}-b-caught-up`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    await kafka.admin.setOffsets({ groupId: stopped, topic: topicName, partitions: [{ partition: 0, offset: "1" }] });
    await kafka.admin.setOffsets({ groupId: caughtUp, topic: topicName, partitions: [{ partition: 0, offset: "10" }] });
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await kafka.producer.send({ topic: topicName, messages: [{ value: "more" }] });
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    try {
      await page.goto(`/groups?q=${encodeURIComponent(topicName)}&sort=status&dir=desc`);
      const rows = page.getByTestId("groups-table").locator("tbody tr");
      // Worst first once the window is judged: the stopped group above the one that was caught up.
      await expect(page.getByTestId(`group-row-${stopped}`).getByTestId("group-status")).toHaveText("STOPPED", { timeout: 40_000 });
      await expect(page.getByTestId(`group-row-${caughtUp}`).getByTestId("group-status")).toHaveText("OK");
      await expect(rows.first()).toHaveAttribute("data-testid", `group-row-${stopped}`);
      await expect(page.getByTestId("groups-coverage")).toHaveText(/^total lag of \d+ groups? sampled \d+ s ago: [\d,]+ · 2 groups matching, lag [\d,]+$/);

      // One click flips the order: best first.
      await page.getByTestId("sort-status").click();
      await expect(page).toHaveURL(/dir=asc/);
      await expect(rows.first()).toHaveAttribute("data-testid", `group-row-${caughtUp}`);

      // Filter by status on the server.
      await page.getByTestId("group-status-filter").selectOption("STOPPED");
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toHaveAttribute("data-testid", `group-row-${stopped}`);
      await screenshot(page, "groups-by-status");

      // The topic's Consumers tab: the same groups from the samples, with their status on the topic, and what it covers.
      await page.goto(`/topics/${encodeURIComponent(topicName)}?tab=consumers`);
      await expect(page.getByTestId(`consumer-row-${stopped}`).getByTestId("consumer-status")).toHaveText("STOPPED", { timeout: 20_000 });
      await expect(page.getByTestId(`consumer-row-${caughtUp}`).getByTestId("consumer-status")).toHaveText("OK");
      await expect(page.getByTestId("consumers-table").locator("tbody tr").first()).toHaveAttribute("data-testid", `consumer-row-${stopped}`);
      await expect(page.getByTestId("consumers-coverage")).toHaveText(/^2 groups committing on this topic, of every group sampled \d+ s ago; lag on this topic [\d,]+$/);
      await screenshot(page, "topic-consumers");

      // The topic list: its consumers from the samples, with the largest time lag among them.
      await page.goto(`/topics?q=${encodeURIComponent(topicName)}`);
      const cell = page.getByTestId(`topic-row-${topicName}`).getByTestId("topic-consumers");
      await expect(cell.getByTestId("topic-consumers-summary")).toHaveText(/^2 groups · lag [\d,]+$/, { timeout: 20_000 });
      await expect(cell.getByTestId("topic-consumers-time-lag")).toHaveText(/^≈ \d/);
      await screenshot(page, "topics-consumers");

      // The overview names the group furthest behind in time beside the total lag.
      await page.goto("/");
      await expect(page.getByTestId("stat-largest-time-lag")).toHaveText(/^furthest behind: .+, (≈ )?\d/, { timeout: 20_000 });
      await screenshot(page, "overview-lag");
    } finally {
      producing = false;
      await producer;
    }
  });

  test("a topic shows its production rate over time, and the topic list a trend beside it", async ({ page, topicName, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 10 }, () => ({ value: "x" })) });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await page.goto(`/topics/${encodeURIComponent(topicName)}?tab=partitions`);
      await expect(page.getByTestId("rate-chart")).toBeVisible({ timeout: 20_000 });
      await expect.poll(async () => Number(await page.getByTestId("rate-chart").getAttribute("data-last-point-ms")), { timeout: 20_000 }).toBeGreaterThan(0);
      await page.goto(`/topics?q=${encodeURIComponent(topicName)}`);
      const trend = page.getByTestId(`topic-row-${topicName}`).getByTestId("topic-trend");
      await expect(trend.getByTestId("topic-rate")).toHaveText(/^[\d.,]+\/s$/, { timeout: 40_000 });
      await screenshot(page, "topics-trend");
    } finally {
      producing = false;
      await producer;
    }
  });
});
