import type { Page } from "@playwright/test";

export class ProducePage {
  constructor(readonly page: Page) {}

  async goto(topic: string) {
    await this.page.goto(`/topics/${encodeURIComponent(topic)}/produce`);
  }

  async produce(record: { key?: string; value: string; format?: "json" | "text"; headers?: Record<string, string> }) {
    const page = this.page;
    await page.getByTestId(`produce-format-${record.format ?? "json"}`).check();
    if (record.key !== undefined) await page.getByTestId("produce-key").fill(record.key);
    await page.getByTestId("produce-value").fill(record.value);
    let i = 0;
    for (const [key, value] of Object.entries(record.headers ?? {})) {
      await page.getByTestId("produce-add-header").click();
      await page.getByTestId(`produce-header-key-${i}`).fill(key);
      await page.getByTestId(`produce-header-value-${i}`).fill(value);
      i++;
    }
    await page.getByTestId("produce-submit").click();
  }

  result() {
    return this.page.getByTestId("produce-result");
  }

  fieldError(field: string) {
    return this.page.getByTestId(`field-error-${field}`);
  }
}
