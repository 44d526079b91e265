import type { Page } from "@playwright/test";

export class TopicsPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/topics");
  }

  row(name: string) {
    return this.page.getByTestId(`topic-row-${name}`);
  }

  rows() {
    return this.page.locator('[data-testid^="topic-row-"]');
  }

  pagination() {
    return this.page.getByTestId("pagination");
  }

  fieldError(field: string) {
    return this.page.getByTestId(`field-error-${field}`);
  }

  async createTopic(name: string, partitions = 1, configs = "", replicationFactor = 1) {
    if (!(await this.page.getByTestId("create-topic-form").isVisible())) await this.page.getByTestId("open-create-topic").click();
    await this.page.getByTestId("create-topic-name").fill(name);
    await this.page.getByTestId("create-topic-partitions").fill(String(partitions));
    await this.page.getByTestId("create-topic-replication").fill(String(replicationFactor));
    await this.page.getByTestId("create-topic-configs").fill(configs);
    await this.page.getByTestId("create-topic-submit").click();
  }

  async search(text: string) {
    await this.page.getByTestId("topic-search").fill(text);
  }
}
