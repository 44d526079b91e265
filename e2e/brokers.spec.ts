import { expect, screenshot, test } from "./support/fixtures";
import { BrokerPage } from "./pages/broker-page";

test.describe("broker configs", () => {
  test("a dynamic broker config can be edited and reset; a refused value shows Kafka's reason on its row; read-only ones offer no edit", async ({ page, request, kafka }) => {
    const broker = new BrokerPage(page);
    const configs = broker.configs;
    const name = "log.segment.delete.delay.ms";
    try {
      await broker.goto(1);
      await expect(configs.row("num.partitions")).toContainText("read-only");
      await expect(configs.row("num.partitions").getByTestId("config-edit-num.partitions")).toHaveCount(0);
      await expect(configs.row("log.retention.hours").getByTestId("config-human-value")).toHaveText("7 d");
      await expect(configs.row("num.partitions").getByTestId("config-description")).toContainText("partition count");

      await configs.startEdit("compression.type");
      await expect(configs.editor("compression.type").locator("option")).toHaveCount(6);
      await page.getByRole("button", { name: "Cancel" }).click();

      await configs.edit(name, "120000");
      await expect(configs.row(name)).toContainText("DYNAMIC_BROKER_CONFIG");
      await expect(configs.row(name).getByTestId("config-human-value")).toHaveText("2 min");
      const described = await kafka.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 4, name: "1", configNames: [name] }] });
      expect(described.resources[0].configEntries[0].configValue).toBe("120000");

      await configs.edit(name, "soon");
      await expect(configs.rowError(name)).toContainText(`Invalid value soon for configuration ${name}`);
      await screenshot(page, "broker-configs-error");
      await page.getByRole("button", { name: "Cancel" }).click();

      await configs.reset(name);
      await expect(configs.row(name)).toContainText("DEFAULT_CONFIG");
      await expect(configs.row(name).getByTestId("config-human-value")).toHaveText("1 min");
      await expect(configs.row(name).getByTestId(`config-reset-${name}`)).toHaveCount(0);
    } finally {
      // The broker is shared by every test: leave its config as it was.
      await request.patch("/api/brokers/1/configs", { data: { set: { [name]: null } } });
    }
  });
});

test.describe("brokers list", () => {
  test("the metadata quorum panel shows the single-node cluster as a quorum of one, led by node 1 and caught up", async ({ page }) => {
    await page.goto("/brokers");
    await expect(page.getByTestId("broker-row-1")).toBeVisible();
    const panel = page.getByTestId("quorum-panel");
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId("quorum-leader")).toHaveText("node 1");
    await expect(panel.getByTestId("quorum-voter-count")).toHaveText("1 of 1 caught up");
    await expect(panel.getByTestId("quorum-table").locator("tbody tr")).toHaveCount(1);
    await expect(panel.getByTestId("quorum-row-1")).toContainText("leader");
    await expect(panel.getByTestId("quorum-lag-1")).toHaveText("0");
    await expect(panel.getByTestId("quorum-state-1")).toHaveText("caught up");
    // Metadata names any broker as controller on KRaft; the quorum's leader is the active one.
    await expect(page.getByTestId("broker-role-1")).toHaveText("active controller");
    await screenshot(page, "brokers-quorum");
  });
});
