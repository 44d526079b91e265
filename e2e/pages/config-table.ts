import type { Page } from "@playwright/test";

/** The config table shared by a topic's Configuration tab and a broker's page. */
export class ConfigTableSection {
  constructor(
    readonly page: Page,
    readonly testId: "topic-configs" | "broker-configs",
  ) {}

  table() {
    return this.page.getByTestId(this.testId);
  }

  row(name: string) {
    return this.page.getByTestId(`config-row-${name}`);
  }

  /** The editing control of the row being edited: a select box or a text input. */
  editor(name: string) {
    return this.row(name).getByTestId("config-edit-value");
  }

  rowError(name: string) {
    return this.row(name).getByTestId("config-row-error");
  }

  async startEdit(name: string) {
    await this.row(name).getByTestId(`config-edit-${name}`).click();
  }

  /** Edits one config and saves it, choosing from the select box when the config has one. */
  async edit(name: string, value: string) {
    await this.startEdit(name);
    const editor = this.editor(name);
    if ((await editor.evaluate((el) => el.tagName)) === "SELECT") await editor.selectOption(value);
    else await editor.fill(value);
    await this.row(name).getByTestId("config-save").click();
  }

  async reset(name: string) {
    await this.row(name).getByTestId(`config-reset-${name}`).click();
  }
}
