import { expect, test } from "./support/fixtures";

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
});
