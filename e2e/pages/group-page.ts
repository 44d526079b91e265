import type { Page } from "@playwright/test";

export class GroupPage {
  constructor(readonly page: Page) {}

  async goto(groupId: string, params: Record<string, string> = {}) {
    const query = new URLSearchParams(params).toString();
    await this.page.goto(`/groups/${encodeURIComponent(groupId)}${query ? `?${query}` : ""}`);
  }

  title() {
    return this.page.getByTestId("page-title");
  }

  state() {
    return this.page.getByTestId("group-summary").getByTestId("group-state");
  }

  totalLag() {
    return this.page.getByTestId("group-total-lag");
  }

  /** The largest time lag over the group's partitions, in the stats at the top. */
  timeLag() {
    return this.page.getByTestId("group-time-lag");
  }

  offsetRow(topic: string, partition: number) {
    return this.page.getByTestId(`offset-row-${topic}-${partition}`);
  }

  resetPanel() {
    return this.page.getByTestId("reset-offsets");
  }

  previewRow(topic: string, partition: number) {
    return this.page.getByTestId(`reset-row-${topic}-${partition}`);
  }

  /**
   * Opens the reset panel unless it is open (?reset=1). The button toggles it, so it is clicked only once the page
   * has rendered the group: before that, a panel about to open from the URL would be closed by the click.
   */
  async openResetPanel() {
    await this.page.getByTestId("open-reset").waitFor();
    if (!(await this.resetPanel().isVisible())) await this.page.getByTestId("open-reset").click();
    await this.resetPanel().waitFor();
  }

  /** Opens the reset panel, chooses a strategy (and its value) and asks for the preview. */
  async previewReset(strategy: "earliest" | "latest" | "timestamp" | "offset" | "shift", value?: string) {
    await this.openResetPanel();
    await this.page.getByTestId("reset-strategy").selectOption(strategy);
    if (value !== undefined) await this.page.getByTestId("reset-value").fill(value);
    await this.page.getByTestId("reset-preview").click();
  }

  /** Opens the reset panel and narrows it to one of the group's topics, or (`other`) to a topic typed in. */
  async resetTopic(topic: string, { other = false } = {}) {
    await this.openResetPanel();
    if (other) {
      await this.page.getByTestId("reset-topic").selectOption({ label: "Another topic…" });
      await this.page.getByTestId("reset-topic-other").fill(topic);
    } else {
      await this.page.getByTestId("reset-topic").selectOption(topic);
    }
  }

  async applyReset() {
    await this.page.getByTestId("reset-apply").click();
    await this.page.getByTestId("reset-confirm").getByTestId("confirm-ok").click();
  }

  async delete(groupId: string) {
    await this.page.getByTestId("delete-group").click();
    const dialog = this.page.getByTestId("delete-group-dialog");
    await dialog.getByTestId("confirm-input").fill(groupId);
    await dialog.getByTestId("confirm-ok").click();
  }
}
