import { expect, screenshot, test } from "./support/fixtures";

test.describe("topics", () => {
  test("create a topic from the UI, produce a JSON record and find it pretty-printed in the message browser", async ({ page, topicName, topicsPage, topicPage, producePage, kafka }) => {
    await topicsPage.goto();
    await topicsPage.createTopic(topicName, 2, "retention.ms=86400000\ncleanup.policy=delete");
    await expect(topicPage.title()).toContainText(topicName);
    const described = await kafka.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topicName, configNames: ["retention.ms"] }] });
    expect(described.resources[0].configEntries[0].configValue).toBe("86400000");
    await expect(page.getByTestId("topic-summary")).toContainText("2 partitions");
    expect((await kafka.admin.fetchTopicMetadata({ topics: [topicName] })).topics[0].partitions).toHaveLength(2);

    await page.getByTestId("produce-link").click();
    await producePage.produce({ key: "order-1", value: '{"order":{"id":42,"items":["tea","milk"]},"paid":true}', headers: { source: "e2e" } });
    await expect(producePage.result()).toContainText("offset 0");
    await screenshot(page, "produce");

    // The result links to the record, opened in the message browser.
    await producePage.result().getByRole("link").first().click();
    const detail = topicPage.recordDetail();
    await expect(detail).toBeVisible();
    const json = detail.getByTestId("record-value-json");
    await expect(json).toBeVisible();
    await expect(detail.getByTestId("record-value")).toHaveAttribute("data-format", "json");
    await expect(json).toContainText('"order": {');
    await expect(json).toContainText('"id": 42');
    await expect(json).toContainText('"paid": true');
    await expect(detail.getByTestId("record-headers")).toContainText("source");
    await expect(detail.getByTestId("record-key")).toContainText("order-1");

    await screenshot(page, "topic-messages");

    // The value can be switched to other renderings.
    await detail.getByTestId("record-value-format-hex").click();
    await expect(detail.getByTestId("record-value-hex")).toContainText("7b 22 6f 72");
  });

  test("purge and delete a topic", async ({ page, topicName, topicPage, topicsPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 6 }, (_, i) => ({ partition: i % 2, value: `record ${i}` })) });

    await topicPage.goto(topicName);
    await expect(topicPage.messageRows()).toHaveCount(6);
    // Purging asks for the topic's name, as deleting does.
    await page.getByTestId("purge-topic").click();
    await expect(page.getByTestId("purge-dialog")).toContainText(`Type ${topicName} to confirm`);
    await page.getByTestId("confirm-input").fill(topicName.slice(0, -1));
    await expect(page.getByTestId("confirm-ok")).toBeDisabled();
    await page.getByTestId("confirm-cancel").click();
    await topicPage.purge(topicName);
    await expect(page.getByTestId("topic-action-notice")).toContainText("All records were deleted");
    await expect(page.getByTestId("empty")).toBeVisible();
    const offsets = await kafka.admin.fetchTopicOffsets(topicName);
    expect(offsets.map((o) => [o.low, o.high])).toEqual([
      ["3", "3"],
      ["3", "3"],
    ]);

    await topicPage.delete(topicName);
    await expect(page).toHaveURL(/\/topics$/);
    await expect(topicsPage.row(topicName)).toHaveCount(0);
    expect(await kafka.admin.listTopics()).not.toContain(topicName);
  });

  test("a bad topic name shows a clear error and creates nothing", async ({ topicsPage, kafka }) => {
    const before = await kafka.admin.listTopics();
    await topicsPage.goto();
    await topicsPage.createTopic("bad name!");
    await expect(topicsPage.fieldError("name")).toContainText("may contain only letters, digits");
    await topicsPage.page.getByTestId("create-topic-name").fill("x".repeat(250));
    await topicsPage.page.getByTestId("create-topic-submit").click();
    await expect(topicsPage.fieldError("name")).toContainText("at most 249");
    // A config line that does not parse is caught in the form; a value Kafka rejects comes back on the same field.
    await topicsPage.createTopic("e2e-good-name-bad-config", 1, "retention.ms");
    await expect(topicsPage.fieldError("configs")).toContainText("line 1: expected name=value");
    await topicsPage.createTopic("e2e-good-name-bad-config", 1, "retention.ms=soon");
    await expect(topicsPage.fieldError("configs")).toContainText("retention.ms");
    expect((await kafka.admin.listTopics()).sort()).toEqual(before.sort());
  });

  test("Kafka's refusals of a new topic land on the field at fault, in words a user can act on", async ({ topicName, topicsPage, kafka }) => {
    const dotted = `${topicName}.eu`;
    await kafka.admin.createTopics({ topics: [{ topic: dotted }], waitForLeaders: true });
    await topicsPage.goto();
    await topicsPage.createTopic(`${topicName}_eu`);
    await expect(topicsPage.fieldError("name")).toContainText(`collides with the existing topic '${dotted}'`);
    await topicsPage.createTopic(`${topicName}-rf`, 1, "", 3);
    await expect(topicsPage.fieldError("replicationFactor")).toContainText("The cluster has 1 broker, so the replication factor can be at most 1.");
    await expect(topicsPage.fieldError("name")).toHaveCount(0);
    await screenshot(topicsPage.page, "create-topic-replication-error");
    const topics = await kafka.admin.listTopics();
    expect(topics).not.toContain(`${topicName}_eu`);
    expect(topics).not.toContain(`${topicName}-rf`);
  });

  test("an unknown topic says it does not exist and leads back to the topic list", async ({ page, topicName, request }) => {
    await page.goto(`/topics/${topicName}-missing`);
    await expect(page.getByTestId("not-found")).toContainText("Topic not found");
    await expect(page.getByTestId("not-found-name")).toHaveText(`${topicName}-missing`);
    await expect(page.getByTestId("error-state")).toHaveCount(0);
    await screenshot(page, "topic-not-found");
    await page.getByTestId("not-found-back").click();
    await expect(page).toHaveURL(/\/topics$/);

    const missing = await request.get(`/api/topics/${topicName}-missing/configs`);
    expect(missing.status()).toBe(404);
    expect((await missing.json()).error.message).toBe(`Topic '${topicName}-missing' does not exist.`);
  });

  test("an internal topic offers neither purge nor delete, and the API refuses to delete it", async ({ page, topicName, topicPage, kafka, request }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    // A committed offset makes sure __consumer_offsets exists.
    await kafka.admin.setOffsets({ groupId: topicName, topic: topicName, partitions: [{ partition: 0, offset: "0" }] });
    await topicPage.goto("__consumer_offsets", { tab: "partitions" });
    await expect(topicPage.title()).toContainText("internal");
    await expect(page.getByTestId("internal-topic-note")).toBeVisible();
    await expect(page.getByTestId("delete-topic")).toHaveCount(0);
    await expect(page.getByTestId("purge-topic")).toHaveCount(0);

    const refused = await request.delete("/api/topics/__consumer_offsets");
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error.message).toContain("internal topic");
    expect(await kafka.admin.listTopics()).toContain("__consumer_offsets");
  });

  test("configuration: select boxes for enumerated configs, readable values and descriptions, and a refused edit's reason on its row", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, configEntries: [{ name: "retention.ms", value: "86400000" }] }], waitForLeaders: true });
    const configs = topicPage.configs;
    await topicPage.goto(topicName, { tab: "configuration" });
    await expect(configs.row("retention.ms").getByTestId("config-human-value")).toHaveText("1 d");
    await expect(configs.row("segment.bytes").getByTestId("config-human-value")).toHaveText("1 GiB");
    await expect(configs.row("retention.ms").getByTestId("config-description")).toContainText("How long records are kept");

    await configs.startEdit("cleanup.policy");
    await expect(configs.editor("cleanup.policy").locator("option")).toHaveText(["delete", "compact", "compact,delete"]);
    await page.getByRole("button", { name: "Cancel" }).click();
    await configs.edit("cleanup.policy", "compact");
    await expect(configs.row("cleanup.policy")).toContainText("DYNAMIC_TOPIC_CONFIG");
    await expect(configs.row("cleanup.policy")).toContainText("compact");
    const described = await kafka.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topicName, configNames: ["cleanup.policy"] }] });
    expect(described.resources[0].configEntries[0].configValue).toBe("compact");

    await configs.edit("retention.ms", "soon");
    await expect(configs.rowError("retention.ms")).toContainText("Invalid value soon for configuration retention.ms");
    await expect(page.getByTestId("config-row-error")).toHaveCount(1);
    await screenshot(page, "topic-configuration-error");
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(configs.row("retention.ms")).toContainText("86400000");
    await configs.reset("retention.ms");
    await expect(configs.row("retention.ms").getByTestId("config-human-value")).toHaveText("7 d");
  });

  test("the topic list searches and sorts, with the state in the URL", async ({ page, topicName, topicsPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: `${topicName}-a`, numPartitions: 3 }, { topic: `${topicName}-b`, numPartitions: 1 }], waitForLeaders: true });
    await topicsPage.goto();
    await topicsPage.search(topicName);
    await expect(page).toHaveURL(new RegExp(`q=${topicName}`));
    await expect(page.locator('[data-testid^="topic-row-"]')).toHaveCount(2);
    await page.getByTestId("sort-partitions").click();
    await page.getByTestId("sort-partitions").click();
    await expect(page).toHaveURL(/sort=partitions&dir=desc|dir=desc.*sort=partitions/);
    await expect(page.locator('[data-testid^="topic-row-"]').first()).toHaveAttribute("data-testid", `topic-row-${topicName}-a`);
    await page.reload();
    await expect(page.getByTestId("topic-search")).toHaveValue(topicName);
    await expect(page.locator('[data-testid^="topic-row-"]')).toHaveCount(2);
  });

  test("a long topic list shows 100 rows a page, with the page in the URL and back to page 1 on a new search", async ({ page, topicName, topicsPage, kafka }) => {
    const names = Array.from({ length: 120 }, (_, i) => `${topicName}-${String(i).padStart(3, "0")}`);
    await kafka.admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    await topicsPage.goto();
    await topicsPage.search(topicName);
    await expect(topicsPage.rows()).toHaveCount(100);
    await expect(topicsPage.pagination().getByTestId("pagination-range")).toHaveText("1–100 of 120");
    await expect(topicsPage.rows().first()).toHaveAttribute("data-testid", `topic-row-${names[0]}`);

    await topicsPage.pagination().getByTestId("pagination-next").click();
    await expect(page).toHaveURL(/[?&]page=2/);
    await expect(topicsPage.rows()).toHaveCount(20);
    await expect(topicsPage.rows().first()).toHaveAttribute("data-testid", `topic-row-${names[100]}`);
    await expect(topicsPage.pagination().getByTestId("pagination-next")).toBeDisabled();
    await page.reload();
    await expect(topicsPage.rows()).toHaveCount(20);

    await page.goBack();
    await expect(topicsPage.rows()).toHaveCount(100);
    await topicsPage.pagination().getByTestId("pagination-next").click();
    await topicsPage.search(`${topicName}-11`);
    await expect(page).not.toHaveURL(/[?&]page=/);
    await expect(topicsPage.rows()).toHaveCount(10);
    await expect(topicsPage.pagination()).toHaveCount(0);
  });
});
