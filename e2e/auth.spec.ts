import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { hashPassword } from "../server/auth/password";
import { LoginPage } from "./pages/login-page";
import { startConsole, type ExtraConsole } from "./support/extra-console";
import { expect, test } from "./support/fixtures";

/**
 * Logins, roles and read-only, in Chromium against two consoles of their own:
 * one with users (viewer, operator, admin) in a configuration file, and one
 * whose configuration makes it read-only (and has no users).
 */
const PASSWORD = "e2e password of some length";
let secured: ExtraConsole;
let readOnly: ExtraConsole;
let dir: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = mkdtempSync(path.join(os.tmpdir(), "sluice-e2e-auth-"));
  const hash = await hashPassword(PASSWORD);
  const users = ["viewer", "operator", "admin"].map((role) => ({ username: role === "admin" ? "ada" : role === "operator" ? "otto" : "vera", passwordHash: hash, roles: [role] }));
  users.push({ username: "olga", passwordHash: hash, roles: ["orders-team"] });
  const roles = [{ name: "orders-team", grants: [{ actions: ["cluster:view"] }, { actions: ["topics:view", "groups:view"], topics: ["orders-*"], groups: ["orders-*"] }] }];
  writeFileSync(
    path.join(dir, "secured.yaml"),
    JSON.stringify({ clusters: [{ id: "e2e", name: "E2E", bootstrapServers: [process.env.SLUICE_E2E_BROKERS] }], users, roles }),
  );
  writeFileSync(path.join(dir, "read-only.json"), JSON.stringify({ clusters: [{ id: "e2e", bootstrapServers: [process.env.SLUICE_E2E_BROKERS], readOnly: true }] }));
  [secured, readOnly] = await Promise.all([startConsole({ SLUICE_CONFIG: path.join(dir, "secured.yaml") }), startConsole({ SLUICE_CONFIG: path.join(dir, "read-only.json") })]);
});

test.afterAll(async () => {
  await Promise.all([secured?.stop(), readOnly?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens `target`, which shows the login form in its place until one logs in, then the page itself. */
async function logIn(page: Page, user: string, target = "/topics"): Promise<void> {
  await page.goto(`${secured.url}${target}`);
  await expect(page.getByTestId("nav")).toHaveCount(0);
  await new LoginPage(page).logIn(user, PASSWORD);
  await expect(page.getByTestId("current-user")).toHaveText(user);
}

test("a viewer: sent to the login page, then sees the topic without produce, purge or delete, and the API refuses with 403", async ({ page, kafka, topicName }) => {
  await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
  await page.goto(`${secured.url}/topics/${topicName}`);
  const login = new LoginPage(page);
  await login.logIn("vera", "not the password");
  await expect(login.error()).toHaveText("wrong user name or password");
  await login.logIn("vera", PASSWORD);
  await expect(page).toHaveURL(`${secured.url}/topics/${topicName}`);
  await expect(page.getByTestId("current-roles")).toHaveText("viewer");
  await expect(page.getByRole("heading", { name: topicName })).toBeVisible();
  await expect(page.getByTestId("produce-link")).toHaveCount(0);
  await expect(page.getByTestId("purge-topic")).toHaveCount(0);
  await expect(page.getByTestId("delete-topic")).toHaveCount(0);
  const why = page.getByTestId("topic-actions-not-allowed");
  await expect(why).toContainText(`Produce: not available, the roles of 'vera' (viewer) grant no messages:produce on topic '${topicName}' on cluster 'e2e'.`);
  await expect(why).toContainText("Purge: not available");
  await expect(why).toContainText("Delete: not available");
  await expect(page.getByTestId("nav")).not.toContainText("Audit log");

  const refused = await page.request.post(`${secured.url}/api/topics/${topicName}/messages`, { data: { value: "sneaky" } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toMatch(/^missing permission messages:produce: /);
  await page.goto(`${secured.url}/topics/${topicName}/produce`);
  await expect(page.getByTestId("forbidden")).toContainText("missing permission messages:produce");

  await page.goto(`${secured.url}/topics`);
  await expect(page.getByTestId("open-create-topic")).toHaveCount(0);
  await expect(page.getByTestId("create-topic-not-allowed")).toContainText("Create topic: not available");
});

test("an operator: produces from the UI; may purge but not delete", async ({ page, kafka, topicName, producePage }) => {
  await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
  await logIn(page, "otto", `/topics/${topicName}`);
  await expect(page.getByTestId("produce-link")).toBeVisible();
  await expect(page.getByTestId("purge-topic")).toBeVisible();
  await expect(page.getByTestId("delete-topic")).toHaveCount(0);
  await expect(page.getByTestId("topic-actions-not-allowed")).toContainText("Delete: not available");
  await page.getByTestId("produce-link").click();
  await producePage.produce({ value: "from the operator", format: "text" });
  await expect(producePage.result()).toBeVisible();
  const deleted = await page.request.delete(`${secured.url}/api/topics/${topicName}`);
  expect(deleted.status()).toBe(403);
});

test("an admin: every control, the audit log shows the others' changes and refusals, and logout ends the session", async ({ page, kafka, topicName }) => {
  await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
  await logIn(page, "ada", `/topics/${topicName}`);
  for (const control of ["produce-link", "add-partitions", "purge-topic", "delete-topic"]) await expect(page.getByTestId(control)).toBeVisible();
  await expect(page.getByTestId("topic-actions-not-allowed")).toHaveCount(0);

  await page.getByTestId("nav").getByText("Audit log").click();
  await expect(page.getByTestId("audit-table")).toBeVisible();
  await page.getByTestId("audit-user").fill("vera");
  await page.getByTestId("audit-result").selectOption("refused");
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: "messages:produce" }).first()).toContainText("refused 403");
  await expect(rows.filter({ hasText: "auth:login" }).first()).toContainText("wrong user name or password");
  const exported = await page.request.get(`${secured.url}/api/audit?format=jsonl&user=otto&action=messages:produce`);
  const lines = (await exported.text()).trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.some((l) => l.result === "ok" && l.status === 201 && l.cluster === "e2e")).toBe(true);

  await page.getByTestId("logout").click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("login-form")).toBeVisible();
  await page.goto(`${secured.url}/topics`);
  await expect(page.getByTestId("login-form")).toBeVisible();
  await expect(page.getByTestId("nav")).toHaveCount(0);
  expect((await page.request.get(`${secured.url}/api/topics`)).status()).toBe(401);
});

test("every page carries a content security policy with a nonce and frame-ancestors 'none'; a change from another origin is refused", async ({ page }) => {
  const response = await page.goto(`${secured.url}/login`);
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response!.headers()["x-content-type-options"]).toBe("nosniff");
  const crossSite = await page.request.post(`${secured.url}/api/auth/login`, { headers: { origin: "https://evil.example" }, data: { username: "ada", password: PASSWORD } });
  expect(crossSite.status()).toBe(403);
});

test("a read-only cluster: no login (no users), a banner saying so, no control that changes anything, and the API refuses changes", async ({ page, kafka, topicName }) => {
  await kafka.admin.createTopics({ topics: [{ topic: topicName, numPartitions: 1 }], waitForLeaders: true });
  await page.goto(`${readOnly.url}/topics/${topicName}`);
  await expect(page.getByTestId("read-only-banner")).toContainText("the cluster 'e2e' is read-only");
  await expect(page.getByRole("heading", { name: topicName })).toBeVisible();
  for (const control of ["produce-link", "add-partitions", "purge-topic", "delete-topic"]) await expect(page.getByTestId(control)).toHaveCount(0);
  await page.goto(`${readOnly.url}/topics`);
  await expect(page.getByTestId("open-create-topic")).toHaveCount(0);
  const refused = await page.request.post(`${readOnly.url}/api/topics/${topicName}/messages`, { data: { value: "x" } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toContain("read-only");
});

test("a role on name patterns: the topics and groups pages, as rendered by the server, hold nothing outside the patterns", async ({ page, kafka, topicName }) => {
  const [mine, theirs] = [`orders-${topicName}`, `billing-${topicName}`];
  await kafka.admin.createTopics({ topics: [mine, theirs].map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  for (const groupId of [mine, theirs]) await kafka.admin.setOffsets({ groupId, topic: mine, partitions: [{ partition: 0, offset: "0" }] });
  await logIn(page, "olga", "/topics");
  await expect(page.getByRole("link", { name: mine, exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: theirs, exact: true })).toHaveCount(0);
  // The HTML of each page, with the data its server render puts in it (the dehydrated query cache) included.
  for (const target of ["/topics", "/groups", "/"]) {
    const html = await (await page.request.get(`${secured.url}${target}`)).text();
    expect(html, `${target} is the page itself, not the login form`).toContain('data-testid="current-user"');
    expect(html.includes(theirs), `${target} names ${theirs}`).toBe(false);
  }
  const groups = await (await page.request.get(`${secured.url}/api/group-list?q=${encodeURIComponent(topicName)}`)).json();
  expect(groups.groups.map((g: { groupId: string }) => g.groupId)).toEqual([mine]);
});
