import type { Consumer } from "kafkajs";
import { expect, screenshot, test } from "./support/fixtures";

test.describe("consumer groups", () => {
  test("lag appears and changes after the consumer commits; offsets are reset through a preview; the group is deleted", async ({ page, topicName, groupPage, kafka }) => {
    const groupId = `${topicName}-group`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `{"n":${i}}` })) });

    // A real member of the group that commits only when the test says so.
    const consumer: Consumer = kafka.client.consumer({ groupId, heartbeatInterval: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName, fromBeginning: true });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
    await joined;
    const commit = (first: number, second: number) =>
      consumer.commitOffsets([
        { topic: topicName, partition: 0, offset: String(first) },
        { topic: topicName, partition: 1, offset: String(second) },
      ]);

    try {
      await commit(2, 3);
      await groupPage.goto(groupId);
      await expect(groupPage.state()).toHaveText("Stable");
      await expect(groupPage.totalLag()).toHaveText("5");
      await expect(groupPage.offsetRow(topicName, 0).getByTestId("offset-lag")).toHaveText("3");
      await expect(page.getByTestId("member-row")).toContainText("sluice-e2e");
      await expect(page.getByTestId("member-row")).toContainText(`${topicName}: 0-1`);
      await screenshot(page, "group");

      // The page refreshes itself: the consumer commits, the lag goes to 0 without a reload.
      await commit(5, 5);
      await expect(groupPage.totalLag()).toHaveText("0");
      await expect(groupPage.offsetRow(topicName, 1).getByTestId("offset-committed")).toHaveText("5");

      // Pausing stops the refresh: a new commit does not show until it resumes.
      await page.getByTestId("refresh-toggle").click();
      await expect(page).toHaveURL(/paused=1/);
      await commit(4, 5);
      await page.waitForTimeout(6_000);
      await expect(groupPage.totalLag()).toHaveText("0");
      await page.getByTestId("refresh-toggle").click();
      await expect(groupPage.totalLag()).toHaveText("1");

      // While the consumer is a member, a reset is refused with the reason.
      await page.getByTestId("open-reset").click();
      await expect(page.getByTestId("reset-not-empty")).toContainText("Stable with 1 member");
      await expect(page.getByTestId("reset-preview")).toBeDisabled();
    } finally {
      await consumer.disconnect();
    }

    await expect(groupPage.state()).toHaveText("Empty");
    await groupPage.previewReset("earliest");
    for (const [partition, current] of [[0, "4"], [1, "5"]] as const) {
      const row = groupPage.previewRow(topicName, partition);
      await expect(row.getByTestId("reset-current")).toHaveText(current);
      await expect(row.getByTestId("reset-target")).toHaveText("0");
    }
    await screenshot(page, "group-reset-preview");
    // A preview changes nothing.
    const committed = async () => (await kafka.admin.fetchOffsets({ groupId, topics: [topicName] }))[0].partitions.map((p) => p.offset).sort();
    expect(await committed()).toEqual(["4", "5"]);

    await groupPage.applyReset();
    await expect(page.getByTestId("reset-done")).toContainText("Committed 2 offsets");
    await expect(groupPage.totalLag()).toHaveText("10");
    expect(await committed()).toEqual(["0", "0"]);

    // A shift by a number the log cannot honour stops at its ends.
    await groupPage.previewReset("shift", "7");
    await expect(groupPage.previewRow(topicName, 0).getByTestId("reset-target")).toHaveText("5");

    // The topic's Consumers tab and the topic list show the group and its lag.
    await page.goto(`/topics/${encodeURIComponent(topicName)}?tab=consumers`);
    await expect(page.getByTestId(`consumer-row-${groupId}`).getByTestId("consumer-lag")).toHaveText("10");
    await page.goto(`/topics?q=${encodeURIComponent(topicName)}`);
    // From the samples (with the time lag beside it) once a cycle saw the group, from a live read before.
    await expect(page.getByTestId(`topic-row-${topicName}`).getByTestId("topic-consumers")).toHaveText(/^1 group · lag 10( \(.+\))?$/);
    await page.goto(`/groups?q=${encodeURIComponent(groupId)}`);
    await expect(page.getByTestId(`group-row-${groupId}`).getByTestId("group-lag")).toHaveText("10");
    await screenshot(page, "groups");

    await page.getByTestId(`group-row-${groupId}`).getByRole("link", { name: groupId }).click();
    await groupPage.delete(groupId);
    await expect(page).toHaveURL(/\/groups$/);
    await expect(page.getByTestId(`group-row-${groupId}`)).toHaveCount(0);
    expect((await kafka.admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
  });

  test("time lag: how old the next record to read is, beside the lag in records, on the group page, the groups list and the topic's consumers", async ({
    page,
    topicName,
    groupPage,
    kafka,
  }) => {
    const groupId = `${topicName}-behind`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    // Records written 2 h 5 min 30 s ago, a second apart, on partition 0; fresh ones on partition 1.
    const firstTimestamp = Date.now() - (2 * 3_600_000 + 5 * 60_000 + 30_000);
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `old${i}`, timestamp: String(firstTimestamp + i * 1_000) })) });
    await kafka.producer.send({ topic: topicName, messages: [{ partition: 1, value: "new" }] });
    // Behind by four records on partition 0 (the next to read is the second, 2 h 5 min old); caught up on partition 1.
    await kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: "1" }] });
    await kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 1, offset: "1" }] });

    await groupPage.goto(groupId);
    const behind = groupPage.offsetRow(topicName, 0);
    await expect(behind.getByTestId("offset-lag")).toHaveText("4");
    await expect(behind.getByTestId("offset-time-lag")).toHaveText("2 h 5 min");
    await expect(behind.getByTestId("offset-time-lag")).toHaveAttribute("title", /now minus the timestamp of the next record/);
    await expect(groupPage.offsetRow(topicName, 1).getByTestId("offset-time-lag")).toHaveText("0 s");
    await expect(groupPage.timeLag()).toHaveText("2 h 5 min");
    await expect(page.getByTestId("offsets-total-time-lag")).toHaveText("2 h 5 min");
    await screenshot(page, "group-time-lag");

    // Records behind the commit deleted: the page, refreshing itself, estimates from the end offsets it read before, and says so.
    await kafka.admin.deleteTopicRecords({ topic: topicName, partitions: [{ partition: 0, offset: "5" }] });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 3 }, (_, i) => ({ partition: 0, value: `later${i}` })) });
    await expect(behind.getByTestId("offset-time-lag")).toHaveText(/^≈ \d/);
    await expect(behind.getByTestId("offset-time-lag")).toHaveAttribute("title", /^Estimated/);
    await expect(groupPage.timeLag()).toHaveText(/^≈ /);
    await screenshot(page, "group-time-lag-estimated");

    await page.goto(`/topics/${encodeURIComponent(topicName)}?tab=consumers`);
    await expect(page.getByTestId(`consumer-row-${groupId}`).getByTestId("consumer-time-lag")).toHaveText(/^≈ /);
    await page.goto(`/groups?q=${encodeURIComponent(groupId)}`);
    await expect(page.getByTestId(`group-row-${groupId}`).getByTestId("group-time-lag")).toHaveText(/^≈ /);
  });

  test("a reset with missing or invalid input shows the error at the field and commits nothing", async ({ page, topicName, groupPage, kafka }) => {
    const groupId = `${topicName}-group`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ value: "a" }, { value: "b" }] });
    await kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: "1" }] });

    await groupPage.goto(groupId, { reset: "1" });
    await groupPage.previewReset("offset", "");
    await expect(page.getByTestId("field-error-offset")).toContainText("an offset is required");
    await groupPage.previewReset("shift", "two");
    await expect(page.getByTestId("field-error-shift")).toContainText("Expected number");
    await groupPage.resetTopic("no-such-topic-here", { other: true });
    await groupPage.previewReset("earliest");
    await expect(page.getByTestId("reset-error")).toContainText("does not host this topic-partition");
    await expect(page.getByTestId("reset-preview-table")).toHaveCount(0);
    expect((await kafka.admin.fetchOffsets({ groupId, topics: [topicName] }))[0].partitions[0].offset).toBe("1");
  });

  test("a group id with a space, a slash, a percent sign and non-ASCII letters opens, resets and is deleted from the UI", async ({ page, topicName, groupPage, kafka }) => {
    // "%41" must stay "%41" (decoded once, not twice into "A"); "/" must not split the path.
    const groupId = `${topicName} grüße/a%41`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 8 }, (_, i) => ({ partition: i % 2, value: `v${i}` })) });
    await kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: "3" }, { partition: 1, offset: "4" }] });
    const committed = async () => (await kafka.admin.fetchOffsets({ groupId, topics: [topicName] }))[0].partitions.map((p) => [p.partition, p.offset]).sort();

    // From the list, by its link.
    await page.goto(`/groups?q=${encodeURIComponent(topicName)}`);
    await page.getByTestId(`group-row-${groupId}`).getByRole("link", { name: groupId }).click();
    await expect(groupPage.title()).toHaveText(groupId);
    await expect(groupPage.state()).toHaveText("Empty");
    await expect(groupPage.totalLag()).toHaveText("1");

    // By its URL, as a shared link opens it.
    await groupPage.goto(groupId);
    await expect(groupPage.title()).toHaveText(groupId);
    await expect(groupPage.offsetRow(topicName, 1).getByTestId("offset-committed")).toHaveText("4");

    // Reset one partition, chosen from the group's topics.
    await groupPage.resetTopic(topicName);
    await page.getByTestId("reset-partition").fill("1");
    await groupPage.previewReset("earliest");
    await expect(groupPage.previewRow(topicName, 1).getByTestId("reset-target")).toHaveText("0");
    await expect(groupPage.previewRow(topicName, 0)).toHaveCount(0);
    await screenshot(page, "group-encoded-id-reset");
    await groupPage.applyReset();
    await expect(page.getByTestId("reset-done")).toContainText(`Committed 1 offset for ${groupId}.`);
    expect(await committed()).toEqual([[0, "3"], [1, "0"]]);
    await expect(groupPage.offsetRow(topicName, 1).getByTestId("offset-committed")).toHaveText("0");

    await groupPage.delete(groupId);
    await expect(page).toHaveURL(/\/groups$/);
    expect((await kafka.admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);

    // Gone: its URL is a 404 naming it, with the way back to the list.
    const response = await page.goto(`/groups/${encodeURIComponent(groupId)}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByTestId("not-found-name")).toHaveText(groupId);
    await expect(page.getByText("Try again")).toHaveCount(0);
    await screenshot(page, "group-not-found");
    await page.getByTestId("not-found-back").click();
    await expect(page).toHaveURL(/\/groups$/);
  });

  test("group ids from the issue, each opened by its URL, name themselves in the title", async ({ topicName, groupPage, kafka }) => {
    test.slow(); // seven groups, each joined once and its page opened
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ value: "a" }] });
    const groupIds = [" my group", "a:b", "ü-group", "a%b", "a/b", 'q"uote', "?x=1#y"].map((suffix) => `${topicName}${suffix}`);
    // Each setOffsets joins its group for a moment: side by side, not one after another.
    await Promise.all(groupIds.map((groupId) => kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: "1" }] })));
    for (const groupId of groupIds) {
      await groupPage.goto(groupId);
      await expect(groupPage.title(), groupId).toHaveText(groupId);
      await expect(groupPage.offsetRow(topicName, 0).getByTestId("offset-committed")).toHaveText("1");
    }
  });

  test("a group deleted elsewhere while its page is open turns into the not-found, without 'Try again'", async ({ page, topicName, groupPage, kafka }) => {
    const groupId = `${topicName} ü`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ value: "a" }] });
    await kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: "1" }] });
    await groupPage.goto(groupId);
    await expect(groupPage.state()).toHaveText("Empty");
    await kafka.admin.deleteGroups([groupId]);
    // The next refresh (every 5 s) finds it gone.
    await expect(page.getByTestId("not-found-name")).toHaveText(groupId);
    await expect(page.getByText("Try again")).toHaveCount(0);
    await expect(page.getByTestId("not-found-back")).toHaveAttribute("href", "/groups");
  });

  test("the reset form offers the group's topics and prefills the time with an hour ago, in the zone it names", async ({ page, topicName, groupPage, kafka }) => {
    const groupId = `${topicName}-group`;
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ value: "a" }, { value: "b" }, { value: "c" }] });
    await kafka.admin.setOffsets({ groupId, topic: topicName, partitions: [{ partition: 0, offset: "3" }] });

    await groupPage.goto(groupId, { reset: "1" });
    await expect(page.getByTestId("reset-topic").locator("option")).toHaveText(["All committed topics (1)", topicName, "Another topic…"]);
    await expect(page.getByTestId("reset-partition")).toBeDisabled();

    await page.getByTestId("reset-strategy").selectOption("timestamp");
    const prefilled = await page.getByTestId("reset-value").inputValue();
    // datetime-local values are local time; the browser parses them back the same way.
    const shownMs = await page.evaluate((value) => new Date(value).getTime(), prefilled);
    expect(Math.abs(shownMs - (Date.now() - 3_600_000))).toBeLessThan(120_000);
    await expect(page.getByTestId("reset-offsets")).toContainText(/Time \((.+, )?UTC[+-]\d\d:\d\d\)/);
    await screenshot(page, "group-reset-time");

    // The records were written just now, after the prefilled time: the reset goes back to the first of them.
    await page.getByTestId("reset-preview").click();
    await expect(groupPage.previewRow(topicName, 0).getByTestId("reset-target")).toHaveText("0");
  });
});
