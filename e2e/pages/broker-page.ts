import type { Page } from "@playwright/test";
import { ConfigTableSection } from "./config-table";

export class BrokerPage {
  readonly configs: ConfigTableSection;

  constructor(readonly page: Page) {
    this.configs = new ConfigTableSection(page, "broker-configs");
  }

  async goto(id: number, params: Record<string, string> = {}) {
    const query = new URLSearchParams(params).toString();
    await this.page.goto(`/brokers/${id}${query ? `?${query}` : ""}`);
  }
}
