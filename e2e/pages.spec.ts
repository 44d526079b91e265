import { expect, screenshot, test } from "./support/fixtures";

test.describe("pages", () => {
  test("overview, brokers and topic tabs render real cluster data (screenshots)", async ({ page, topicName, topicPage, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 3, configEntries: [{ name: "retention.ms", value: "3600000" }] }], waitForLeaders: true });
    await kafka.producer.send({ topic: topicName, messages: Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n: i, at: new Date(0).toISOString() }), partition: i % 3 })) });

    await page.goto("/");
    await expect(page.getByTestId("stat-controller")).toHaveText("1");
    await expect(page.getByTestId("stat-brokers")).toHaveText("1");
    // Groups and lag are two figures with their own labels, not "2 / 333".
    await expect(page.getByTestId("stat-groups")).toHaveText(/^[\d,]+$/);
    await expect(page.getByTestId("overview-stats")).toContainText("Total lag (records)");
    await expect(page.getByTestId("stat-total-lag-records")).toHaveText(/^[\d,]+$/);
    // And what that total covers: every group of the sampler's newest cycle, or those read live before it.
    await expect(page.getByTestId("stat-total-lag-coverage")).toHaveText(/^of [\d,]+ groups?, sampled \d+ (s|min|h) ago$|^of the [\d,]+ groups?( of [\d,]+)? read now \(no lag sample yet\)$/);
    // The protocol as the controller's ApiVersions states it.
    await expect(page.getByTestId("stat-apis")).toHaveText(/^[1-9]\d*$/);
    await expect(page.getByTestId("overview-protocol")).toContainText(`Broker 1 serves ${await page.getByTestId("stat-apis").textContent()} Kafka APIs`);
    await page.getByTestId("overview-apis").locator("summary").click();
    await expect(page.getByTestId("api-row-ApiVersions")).toContainText("0 to 4");
    await screenshot(page, "overview");

    await page.goto("/brokers");
    await expect(page.getByTestId("broker-row-1")).toContainText("controller");
    await screenshot(page, "brokers");
    await page.getByTestId("broker-row-1").getByRole("link").click();
    await expect(page.getByTestId("config-row-num.partitions")).toContainText("STATIC_BROKER_CONFIG");
    await screenshot(page, "broker-configs");

    await page.goto("/topics");
    await expect(page.getByTestId(`topic-row-${topicName}`)).toContainText("12");
    await screenshot(page, "topics");

    await topicPage.goto(topicName, { tab: "partitions" });
    await expect(page.getByTestId("partition-row-2")).toBeVisible();
    await expect(page.getByTestId("partition-row-0")).toContainText("4");
    await screenshot(page, "topic-partitions");

    await topicPage.tab("configuration").click();
    await expect(page.getByTestId("config-row-retention.ms")).toContainText("3600000");
    await page.getByTestId("config-edit-retention.ms").click();
    await page.getByTestId("config-edit-value").fill("7200000");
    await page.getByTestId("config-save").click();
    await expect(page.getByTestId("config-row-retention.ms")).toContainText("7200000");
    await screenshot(page, "topic-configuration");

    await topicPage.tab("messages").click();
    await expect(topicPage.messageRows()).toHaveCount(12);
    await page.getByTestId("theme-toggle").click();
    await expect(page.locator("html")).toHaveClass(/dark/);
    await topicPage.messageRows().first().click();
    await expect(topicPage.recordDetail()).toBeVisible();
    await screenshot(page, "topic-messages-dark");
    await page.getByTestId("theme-toggle").click();
  });

  test("a cluster that is down gives a clear banner, not a blank page", async ({ page }) => {
    await page.goto(`${process.env.SLUICE_E2E_DEAD_URL}/topics`);
    await expect(page.getByTestId("cluster-unreachable")).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId("error-state")).toContainText("unreachable");
    await screenshot(page, "cluster-down");
  });

  test("an unknown topic, group or page is an HTTP 404 naming it, with a way back and no 'Try again'", async ({ page, topicName }) => {
    const topic = await page.goto(`/topics/${topicName}`);
    expect(topic?.status()).toBe(404);
    await expect(page.getByTestId("not-found")).toContainText("Topic not found");
    await expect(page.getByTestId("not-found-name")).toHaveText(topicName);
    await expect(page.getByText("Try again")).toHaveCount(0);
    await screenshot(page, "topic-not-found");
    await page.getByTestId("not-found-back").click();
    await expect(page).toHaveURL(/\/topics$/);

    // Not a name Kafka allows: decoded for the page, and a 404 saying why, not a Kafka error with "Try again".
    const illegal = await page.goto(`/topics/${encodeURIComponent("no such/topic ü")}`);
    expect(illegal?.status()).toBe(404);
    await expect(page.getByTestId("not-found")).toContainText("No topic can be named no such/topic ü: a topic name may contain only");

    const group = await page.goto(`/groups/${encodeURIComponent(`${topicName} ü`)}`);
    expect(group?.status()).toBe(404);
    await expect(page.getByTestId("not-found-name")).toHaveText(`${topicName} ü`);
    await expect(page.getByTestId("not-found-back")).toHaveAttribute("href", "/groups");

    const other = await page.goto("/no-such-page");
    expect(other?.status()).toBe(404);
    await expect(page.getByTestId("not-found")).toContainText("Page not found");
  });
});

test.describe("api", () => {
  test("errors are mapped once: 400 names the field, 404 names the missing topic, 503 when the cluster is down", async ({ request, topicName, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    const tooMany = await request.get(`/api/topics/${topicName}/messages?count=9999`);
    expect(tooMany.status()).toBe(400);
    expect((await tooMany.json()).error).toMatchObject({ code: "INVALID_INPUT", field: "count" });

    const badSort = await request.get("/api/topics?sort=colour");
    expect(badSort.status()).toBe(400);
    expect((await badSort.json()).error.field).toBe("sort");
    const onePage = await (await request.get(`/api/topics?q=${topicName}`)).json();
    expect([onePage.matching, onePage.topics.map((t: { name: string }) => t.name)]).toEqual([1, [topicName]]);

    const badName = await request.post("/api/topics", { data: { name: "bad name", partitions: 1, replicationFactor: 1 } });
    expect(badName.status()).toBe(400);
    expect((await badName.json()).error.field).toBe("name");

    const badJson = await request.post(`/api/topics/${topicName}/messages`, { data: { value: "{", valueFormat: "json" } });
    expect(badJson.status()).toBe(400);
    expect((await badJson.json()).error.field).toBe("value");

    const missing = await request.get(`/api/topics/${topicName}-missing`);
    expect(missing.status()).toBe(404);
    expect((await missing.json()).error.message).toBe(`Topic '${topicName}-missing' does not exist.`);

    const exists = await request.post("/api/topics", { data: { name: topicName, partitions: 1, replicationFactor: 1 } });
    expect(exists.status()).toBe(409);

    const down = await request.get(`${process.env.SLUICE_E2E_DEAD_URL}/api/topics`);
    expect(down.status()).toBe(503);
    expect((await down.json()).error.code).toBe("UNAVAILABLE");
  });

  test("an unknown API path is a JSON 404, and the catch-all shadows no route", async ({ request, topicName, kafka }) => {
    await kafka.admin.createTopics({ topics: [{ topic: topicName }], waitForLeaders: true });
    for (const [method, path] of [
      ["GET", "/api/nope"],
      ["GET", `/api/topics/${topicName}/nope`],
      ["POST", "/api/groups/g/offsets/nope"],
      ["DELETE", "/api/a/b/c"],
    ] as const) {
      const response = await request.fetch(path, { method });
      expect(response.status(), `${method} ${path}`).toBe(404);
      expect(response.headers()["content-type"]).toContain("application/json");
      expect((await response.json()).error).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining(`${method} ${path}`) });
    }
    expect((await request.get("/api/cluster")).status()).toBe(200);
    expect((await request.get(`/api/topics/${topicName}`)).status()).toBe(200);
    expect((await request.get(`/api/topics/${topicName}/configs`)).status()).toBe(200);
    const openapi = await request.get("/api/openapi.json");
    expect(openapi.status()).toBe(200);
    expect(Object.keys((await openapi.json()).paths)).toContain("/api/groups/{group}/offsets/preview");
  });
});
