import { expect, type Page } from "@playwright/test";

export class LoginPage {
  constructor(private readonly page: Page) {}

  async logIn(username: string, password: string): Promise<void> {
    await expect(this.page.getByTestId("login-form")).toBeVisible();
    await this.page.getByTestId("login-username").fill(username);
    await this.page.getByTestId("login-password").fill(password);
    await this.page.getByTestId("login-submit").click();
  }

  error() {
    return this.page.getByTestId("login-error");
  }
}
