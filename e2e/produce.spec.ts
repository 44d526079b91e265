import { readFileSync } from "node:fs";
import { expect, screenshot, test } from "./support/fixtures";

test.describe("produce", () => {
  test("headers keep their order, repeats and nulls, and a binary header value shows as hex and downloads as its bytes", async ({ page, topicName, producePage, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await producePage.goto(topicName);
    await producePage.produce({
      key: "k",
      value: '{"n": 1}',
      headers: [
        { key: "trace", value: "first" },
        { key: "bin", value: "//5B", format: "base64" },
        { key: "trace", value: "second" },
        { key: "none", value: null },
      ],
    });
    await expect(producePage.result()).toContainText("partition 0 at offset 0");
    await screenshot(page, "produce-headers-result");

    await producePage.result().getByRole("link").first().click();
    const rows = topicPage.recordHeaders();
    await expect(rows).toHaveCount(4);
    await expect(rows.getByTestId("record-header-key")).toHaveText(["trace", "bin", "trace", "none"]);
    await expect(rows.nth(0).getByTestId("record-header-value")).toHaveText("first");
    await expect(rows.nth(2).getByTestId("record-header-value")).toHaveText("second");
    await expect(rows.nth(3).getByTestId("record-header-value")).toHaveText("null");
    // ff fe 41: not UTF-8, so hex with the printable bytes beside it, not U+FFFD.
    const binary = rows.nth(1).getByTestId("record-header-value");
    await expect(binary).toContainText("ff fe 41");
    await expect(binary).toContainText("..A");
    await expect(binary).not.toContainText("\uFFFD");
    await screenshot(page, "produce-headers-record");

    const [download] = await Promise.all([page.waitForEvent("download"), topicPage.recordDetail().getByTestId("download-json").click()]);
    const saved = JSON.parse(readFileSync((await download.path())!, "utf8"));
    expect(saved.headers).toEqual([
      { key: "trace", value: "first" },
      { key: "bin", value: { base64: "//5B" } },
      { key: "trace", value: "second" },
      { key: "none", value: null },
    ]);
  });

  test("a base64 key and value are written as those bytes, and a tombstone as a null value", async ({ page, topicName, producePage, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, configEntries: [{ name: "cleanup.policy", value: "compact" }] }], waitForLeaders: true });
    await producePage.goto(topicName);
    await producePage.produce({ key: "AAE=", keyFormat: "base64", value: "AAEC/w==", format: "base64" });
    await expect(producePage.result()).toContainText("offset 0");
    await page.reload();
    await producePage.produce({ key: "user-7", value: null });
    await expect(producePage.result()).toContainText("offset 1");

    await topicPage.goto(topicName, { open: "0:0" });
    await expect(topicPage.recordDetail().getByTestId("record-value-hex")).toContainText("00 01 02 ff");
    await expect(topicPage.recordDetail().getByTestId("record-key-hex")).toContainText("00 01");
    await expect(topicPage.messageRow(0, 1).getByTestId("message-value-preview")).toHaveText("null");
  });

  test("invalid base64 and a lone surrogate are refused on their field, and nothing is written", async ({ page, request, topicName, producePage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await producePage.goto(topicName);
    await producePage.produce({ value: "not base64!", format: "base64" });
    await expect(producePage.fieldError("value")).toContainText("not valid base64");

    await page.reload();
    await producePage.fill({ value: "ok", format: "text", headers: [{ key: "h", value: "" }] });
    await producePage.setHeaderValueCodeUnits(0, [0x78, 0xd800, 0x79]);
    await producePage.submit();
    await expect(producePage.fieldError("headers.0.value")).toContainText("lone surrogate (U+D800)");
    await screenshot(page, "produce-lone-surrogate");

    // The API refuses the same, whatever the form lets through.
    const refused = await request.post(`/api/topics/${topicName}/messages`, { data: { value: "a\uDC00", valueFormat: "text" } });
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toMatchObject({ code: "INVALID_INPUT", field: "value" });
    const [offsets] = await kafka.admin.fetchTopicOffsets(topicName);
    expect(offsets.high).toBe("0");
  });

  test("N copies list every partition's range of offsets", async ({ topicName, producePage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 3 }], waitForLeaders: true });
    await producePage.goto(topicName);
    await producePage.produce({ value: "x", format: "text", partition: 2, count: 5 });
    await expect(producePage.resultFor(2)).toHaveText("partition 2, offsets 0 to 4 (5 records)");
    await producePage.produce({ value: "y", format: "text", partition: "auto", count: 9 });
    await expect(producePage.result()).toContainText("Written: 9 records");
    // Without a key the copies are spread over the partitions; each line names its own offsets.
    for (const partition of [0, 1]) await expect(producePage.resultFor(partition)).toContainText(`partition ${partition}`);
    await expect(producePage.resultFor(2)).toContainText(/offsets? 5/);
  });

  test("a record over the topic's limit names max.message.bytes on the form", async ({ page, topicName, producePage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, configEntries: [{ name: "max.message.bytes", value: "1000" }] }], waitForLeaders: true });
    await producePage.goto(topicName);
    await producePage.produce({ value: "z".repeat(2000), format: "text" });
    await expect(producePage.error()).toContainText("over the topic's limit of 1,000 bytes: set on this topic as max.message.bytes");
    await expect(producePage.result()).toHaveCount(0);
    await screenshot(page, "produce-too-large");
  });

  test("producing goes on after a topic is deleted under the console, and a deleted topic is named", async ({ topicName, producePage, kafka }) => {
    const gone = `${topicName}-gone`;
    await kafka.admin.createTopics({ topics: [{ topic: gone }, { topic: topicName }], waitForLeaders: true });
    await producePage.goto(gone);
    await producePage.produce({ value: "a", format: "text" });
    await expect(producePage.result()).toContainText("offset 0");

    await kafka.admin.deleteTopics({ topics: [gone] });
    await producePage.produce({ value: "b", format: "text" });
    await expect(producePage.error()).toContainText(`there is no topic ${gone} in the cluster`);

    await producePage.goto(topicName);
    await producePage.produce({ value: "c", format: "text" });
    await expect(producePage.result()).toContainText("partition 0 at offset 0");
  });

  test("producing goes on after a topic it wrote to is deleted from the console", async ({ page, topicName, producePage, topicPage, kafka }) => {
    const gone = `${topicName}-gone`;
    await kafka.admin.createTopics({ topics: [{ topic: gone }, { topic: topicName }], waitForLeaders: true });
    await producePage.goto(gone);
    await producePage.produce({ value: "a", format: "text" });
    await expect(producePage.result()).toContainText("offset 0");

    await topicPage.goto(gone);
    await topicPage.delete(gone);
    await expect(page).toHaveURL(/\/topics$/);

    await producePage.goto(topicName);
    await producePage.produce({ value: "b", format: "text" });
    await expect(producePage.result()).toContainText("partition 0 at offset 0");
  });
});
