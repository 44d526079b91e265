import type { Page } from "@playwright/test";
import { ConfigTableSection } from "./config-table";

export class TopicPage {
  /** The Configuration tab's table. */
  readonly configs: ConfigTableSection;

  constructor(readonly page: Page) {
    this.configs = new ConfigTableSection(page, "topic-configs");
  }

  async goto(topic: string, params: Record<string, string> = {}) {
    const query = new URLSearchParams(params).toString();
    await this.page.goto(`/topics/${encodeURIComponent(topic)}${query ? `?${query}` : ""}`);
  }

  title() {
    return this.page.getByTestId("page-title");
  }

  tab(id: "messages" | "partitions" | "consumers" | "configuration") {
    return this.page.getByTestId(`tab-${id}`);
  }

  messageRow(partition: number, offset: number) {
    return this.page.getByTestId(`message-row-${partition}-${offset}`);
  }

  messageRows() {
    return this.page.locator('[data-testid^="message-row-"]');
  }

  recordDetail() {
    return this.page.getByTestId("record-detail");
  }

  /** The opened record's headers, one row each, in record order. */
  recordHeaders() {
    return this.recordDetail().getByTestId("record-headers").locator("tr");
  }

  /** The notice naming the link's params that were ignored, and what is shown instead. */
  ignoredParams() {
    return this.page.getByTestId("browse-ignored");
  }

  columnHeader(name: string) {
    return this.page.getByTestId("messages-table").locator("th", { hasText: name });
  }

  async purge(topic: string) {
    await this.page.getByTestId("purge-topic").click();
    await this.page.getByTestId("confirm-input").fill(topic);
    await this.page.getByTestId("confirm-ok").click();
  }

  async delete(topic: string) {
    await this.page.getByTestId("delete-topic").click();
    await this.page.getByTestId("confirm-input").fill(topic);
    await this.page.getByTestId("confirm-ok").click();
  }
}
