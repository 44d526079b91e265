import type { Page } from "@playwright/test";

type Format = "text" | "json" | "base64";

/** A header as the form takes it: a null value is a header without one. */
export interface HeaderEntry {
  key: string;
  value: string | null;
  format?: "text" | "base64";
}

export interface RecordEntry {
  key?: string;
  keyFormat?: Format;
  /** Null: a tombstone. */
  value: string | null;
  format?: Format;
  /** An object for distinct keys; a list for order, repeats and null values. */
  headers?: Record<string, string> | HeaderEntry[];
  count?: number;
  partition?: number | "auto";
}

export class ProducePage {
  constructor(readonly page: Page) {}

  async goto(topic: string) {
    await this.page.goto(`/topics/${encodeURIComponent(topic)}/produce`);
  }

  async produce(record: RecordEntry) {
    await this.fill(record);
    await this.submit();
  }

  /** Fills the form without sending it. */
  async fill(record: RecordEntry) {
    const page = this.page;
    if (record.partition !== undefined) await page.getByTestId("produce-partition").selectOption(String(record.partition));
    if (record.count !== undefined) await page.getByTestId("produce-count").fill(String(record.count));
    await page.getByTestId(`produce-key-format-${record.keyFormat ?? "text"}`).check();
    if (record.key !== undefined) await page.getByTestId("produce-key").fill(record.key);
    if (record.value === null) await page.getByTestId("produce-tombstone").check();
    else {
      await page.getByTestId(`produce-value-format-${record.format ?? "json"}`).check();
      await page.getByTestId("produce-value").fill(record.value);
    }
    const headers: HeaderEntry[] = Array.isArray(record.headers) ? record.headers : Object.entries(record.headers ?? {}).map(([key, value]) => ({ key, value }));
    for (const [i, h] of headers.entries()) {
      await page.getByTestId("produce-add-header").click();
      await page.getByTestId(`produce-header-key-${i}`).fill(h.key);
      if (h.value === null) await page.getByTestId(`produce-header-format-${i}`).selectOption("null");
      else {
        await page.getByTestId(`produce-header-format-${i}`).selectOption(h.format ?? "text");
        await page.getByTestId(`produce-header-value-${i}`).fill(h.value);
      }
    }
  }

  /**
   * Types text made of these UTF-16 code units into a header value, as a paste
   * would: built in the page, since Playwright's own text transport replaces a
   * lone surrogate before the page sees it.
   */
  async setHeaderValueCodeUnits(index: number, codeUnits: number[]) {
    await this.page.getByTestId(`produce-header-value-${index}`).evaluate((input: HTMLInputElement, units) => {
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
      setValue.call(input, String.fromCharCode(...units));
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, codeUnits);
  }

  async submit() {
    await this.page.getByTestId("produce-submit").click();
  }

  result() {
    return this.page.getByTestId("produce-result");
  }

  /** The result's line for one partition: its offset or range of offsets. */
  resultFor(partition: number) {
    return this.page.getByTestId(`produce-result-partition-${partition}`);
  }

  /** An error about the record as a whole (too large, topic gone ...). */
  error() {
    return this.page.getByTestId("produce-error");
  }

  /** The error under one field: "value", "key", "headers.0.value" ... */
  fieldError(field: string) {
    return this.page.getByTestId(`field-error-${field}`);
  }
}
