import { expect, screenshot, test } from "./support/fixtures";

test.describe("messages", () => {
  test("a value that looks like HTML shows as text and runs nothing", async ({ page, topicName, topicPage, kafka, dialogs }) => {
    const payload = "<img src=x onerror=alert(1)>";
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ key: "<script>alert(2)</script>", value: payload, headers: { h: "<b>bold</b>" } }] });

    await topicPage.goto(topicName);
    await expect(topicPage.messageRow(0, 0)).toContainText(payload);
    await topicPage.messageRow(0, 0).click();
    const detail = topicPage.recordDetail();
    await expect(detail.getByTestId("record-value")).toHaveAttribute("data-format", "text");
    await expect(detail.getByTestId("record-value-text")).toHaveText(payload);
    await expect(detail.getByTestId("record-key-text")).toHaveText("<script>alert(2)</script>");
    await expect(page.locator("main img")).toHaveCount(0);
    await expect(page.locator("main b", { hasText: "bold" })).toHaveCount(0);
    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
  });

  test("invalid JSON is refused with a clear error and nothing is written", async ({ topicName, producePage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await producePage.goto(topicName);
    await producePage.produce({ value: '{"unterminated": ', format: "json" });
    await expect(producePage.fieldError("value")).toContainText("not valid JSON");
    await expect(producePage.result()).toHaveCount(0);
    const [offsets] = await kafka.admin.fetchTopicOffsets(topicName);
    expect(offsets.high).toBe("0");
  });

  test("the browser pages through a partition newest-first and oldest-first, with the position in the URL", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 25 }, (_, i) => ({ value: JSON.stringify({ n: i }) })) });

    await topicPage.goto(topicName, { count: "10" });
    await expect(topicPage.messageRows()).toHaveCount(10);
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-24");
    await page.getByTestId("page-next").click();
    await expect(page).toHaveURL(/cursor=0%3A15|cursor=0:15/);
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-14");
    await page.getByTestId("page-previous").click();
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-24");

    await page.getByTestId("browse-order").selectOption("oldest-first");
    await page.getByTestId("browse-start").selectOption("oldest");
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-0");
    await page.getByTestId("browse-start").selectOption("offset");
    await page.getByTestId("browse-offset").fill("20");
    await page.getByTestId("browse-offset").blur();
    await expect(topicPage.messageRows()).toHaveCount(5);
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-20");
    await page.reload();
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-20");
  });

  test("a search shows only the records whose key, value or a header holds the text, with the search in the URL", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await kafka.producer.send({
      topic: topicName,
      messages: [
        { key: "a", value: "apple pie" },
        { key: "b", value: "banana bread" },
        { key: "Pineapple", value: "tart" },
        { key: "d", value: "cherry", headers: { fruit: "APPLE" } },
        { key: "e", value: "plum" },
      ],
    });

    await topicPage.goto(topicName);
    await expect(topicPage.messageRows()).toHaveCount(5);
    await page.getByTestId("browse-search").fill("apple");
    await expect(page).toHaveURL(/[?&]q=apple(&|$)/);
    await expect(topicPage.messageRows()).toHaveCount(3);
    for (const offset of [3, 2, 0]) await expect(topicPage.messageRow(0, offset)).toBeVisible();
    await expect(page.getByTestId("search-status")).toHaveText("3 matches in 5 records scanned");

    await page.getByTestId("browse-search-in").selectOption("key");
    await expect(page).toHaveURL(/[?&]in=key(&|$)/);
    await expect(topicPage.messageRows()).toHaveCount(1);
    await expect(topicPage.messageRow(0, 2)).toBeVisible();

    await page.getByTestId("browse-search").fill("kiwi");
    await page.getByTestId("browse-search").press("Enter");
    await expect(page.getByTestId("empty")).toContainText("Nothing matched “kiwi” in the 5 records scanned.");
    await page.reload();
    await expect(page.getByTestId("browse-search")).toHaveValue("kiwi");
    await expect(page.getByTestId("empty")).toContainText("No matches");
  });

  test("a large value is truncated with load all", async ({ topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ value: "z".repeat(100_000) }] });
    await topicPage.goto(topicName, { open: "0:0" });
    const detail = topicPage.recordDetail();
    await expect(detail.getByTestId("record-value")).toContainText("showing the first 64 KiB");
    await detail.getByTestId("record-value-load-all").click();
    await expect(detail.getByTestId("record-value")).not.toContainText("showing the first");
    const text = await detail.getByTestId("record-value-text").textContent();
    expect(text?.length).toBe(100_000);
  });

  test("link params that cannot be honoured are named on the page with what is shown instead", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 2 }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ partition: 0, value: "a" }, { partition: 1, value: "b" }] });

    await topicPage.goto(topicName, { start: "offset", offset: "-5" });
    await expect(topicPage.ignoredParams()).toContainText("offset=-5: an offset is 0 or more");
    await expect(topicPage.ignoredParams()).toContainText("start=offset: there is no valid offset to start at");
    await expect(topicPage.ignoredParams()).toContainText("Showing instead: the newest records of all partitions, newest first.");
    await expect(topicPage.messageRows()).toHaveCount(2);
    await screenshot(page, "messages-ignored-params");

    await topicPage.goto(topicName, { partition: "99", cursor: "garbage" });
    await expect(page.getByTestId("browse-ignored-partition")).toHaveText("partition=99: the topic has partitions 0 to 1");
    await expect(page.getByTestId("browse-ignored-cursor")).toContainText("cursor=garbage");
    await expect(page.getByTestId("browse-ignored-instead")).toHaveText("Showing instead: the newest records of all partitions, newest first, first page.");
    await expect(topicPage.messageRows()).toHaveCount(2);

    // Choosing a filter replaces the link's settings: the ignored ones go, and so does the notice.
    await page.getByTestId("browse-partition").selectOption("1");
    await expect(topicPage.ignoredParams()).toHaveCount(0);
    await expect(page).not.toHaveURL(/cursor=|partition=99/);
    await expect(topicPage.messageRows()).toHaveCount(1);
  });

  test("starting at an offset or a time reads forward from it unless asked otherwise", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 30 }, (_, i) => ({ value: `m${i}` })) });

    await topicPage.goto(topicName, { count: "10" });
    await page.getByTestId("browse-start").selectOption("offset");
    await page.getByTestId("browse-offset").fill("12");
    await page.getByTestId("browse-offset").blur();
    await expect(page.getByTestId("browse-order")).toHaveValue("oldest-first");
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-12");
    await expect(topicPage.messageRows().nth(1)).toHaveAttribute("data-testid", "message-row-0-13");
    await page.getByTestId("browse-offset").fill("30");
    await page.getByTestId("browse-offset").blur();
    await expect(page.getByTestId("empty")).toContainText("Offset 30 is past the last record (partition 0 ends at 29).");
    await page.getByTestId("browse-offset").fill("12");
    await page.getByTestId("browse-offset").blur();

    await page.getByTestId("browse-order").selectOption("newest-first");
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-12");
    await expect(topicPage.messageRows().nth(1)).toHaveAttribute("data-testid", "message-row-0-11");

    await page.getByTestId("browse-start").selectOption("timestamp");
    await expect(page.getByTestId("browse-order")).toHaveValue("oldest-first");
    await expect(page.getByTestId("browse-timestamp")).toBeVisible();
    await screenshot(page, "messages-from-time");
    await page.getByTestId("browse-start").selectOption("newest");
    await expect(page.getByTestId("browse-order")).toHaveValue("newest-first");
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-29");
  });

  test("rows open with the keyboard, show their time zone, and keep their column widths from page to page", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    // Old records short, new ones long: an auto-sized table would change its columns between the pages.
    await kafka.producer.send({
      topic: topicName,
      messages: [...Array.from({ length: 10 }, (_, i) => ({ key: "k", value: `v${i}` })), ...Array.from({ length: 10 }, (_, i) => ({ key: `a-much-longer-key-${"x".repeat(40)}-${i}`, value: `${"long value ".repeat(30)}${i}`, headers: { h: "1" } }))],
    });

    await topicPage.goto(topicName, { count: "10" });
    await expect(topicPage.messageRows()).toHaveCount(10);
    await expect(topicPage.messageRows().first().locator("td").first()).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d$/);
    const widths = async () => Promise.all(["Timestamp", "Partition", "Offset", "Key", "Value", "Headers"].map(async (name) => (await topicPage.columnHeader(name).boundingBox())!.width));
    const first = await widths();
    await screenshot(page, "messages-page-1");
    await page.getByTestId("page-next").click();
    await expect(topicPage.messageRows().first()).toHaveAttribute("data-testid", "message-row-0-9");
    expect(await widths()).toEqual(first);

    await topicPage.messageRows().first().focus();
    await page.keyboard.press("Enter");
    await expect(topicPage.recordDetail()).toBeVisible();
    await expect(topicPage.messageRows().first()).toHaveAttribute("aria-expanded", "true");
    await screenshot(page, "messages-row-opened-by-keyboard");
    await page.keyboard.press("Tab");
    await expect(topicPage.messageRows().first()).not.toBeFocused();
    await topicPage.messageRows().first().focus();
    await page.keyboard.press("Enter");
    await expect(topicPage.recordDetail()).toHaveCount(0);
  });

  test("a header value that is not UTF-8 shows as hex, and Copy JSON keeps its bytes", async ({ page, context, topicName, topicPage, kafka }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: [{ value: "v", headers: { bin: Buffer.from([0xc3, 0x28, 0x00, 0x41]), txt: "plain" } }] });

    await topicPage.goto(topicName, { open: "0:0" });
    const rows = topicPage.recordHeaders();
    await expect(rows.nth(0).getByTestId("record-header-value")).toContainText("c3 28 00 41");
    await expect(rows.nth(0).getByTestId("record-header-value")).toContainText(".(.A");
    await expect(rows.nth(1).getByTestId("record-header-value")).toHaveText("plain");
    await topicPage.recordDetail().getByTestId("copy-json").click();
    await expect(topicPage.recordDetail().getByTestId("copy-json")).toHaveText("Copied");
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    expect(copied.headers).toEqual([
      { key: "bin", value: { base64: Buffer.from([0xc3, 0x28, 0x00, 0x41]).toString("base64") } },
      { key: "txt", value: "plain" },
    ]);
  });
});
