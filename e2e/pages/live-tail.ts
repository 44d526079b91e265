import type { Page } from "@playwright/test";

/** The Live mode of a topic's Messages tab. */
export class LiveTailSection {
  constructor(readonly page: Page) {}

  toggle() {
    return this.page.getByTestId("live-toggle");
  }

  status() {
    return this.page.getByTestId("live-status");
  }

  pause() {
    return this.page.getByTestId("live-pause");
  }

  /** "N shown": the rows in the buffer (the list itself renders only those in view). */
  count() {
    return this.page.getByTestId("live-count");
  }

  rate() {
    return this.page.getByTestId("live-rate");
  }

  values() {
    return this.page.getByTestId("live-list").getByTestId("live-value");
  }
}
