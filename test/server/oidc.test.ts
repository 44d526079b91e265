import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Server } from "node:http";
import net from "node:net";
import Provider from "oidc-provider";
import { GET as callbackRoute } from "@/app/api/auth/oidc/callback/route";
import { GET as startRoute } from "@/app/api/auth/oidc/start/route";
import { GET as clusterRoute } from "@/app/api/cluster/route";
import { GET as sessionRoute } from "@/app/api/session/route";
import { AuditStore } from "@/server/audit/store";
import { useAuditStore } from "@/server/audit";
import { parseConsoleConfig, useConsoleConfig } from "@/server/config/load";

/**
 * Single sign-on against a real OpenID Connect provider (the oidc-provider
 * package, with its development login and consent pages) run by the test on
 * a free port: the console's start and callback routes, the provider's pages
 * driven over HTTP as a browser would, groups mapped to roles.
 */
const CONSOLE = "http://127.0.0.1:3000";
const REDIRECT_URI = `${CONSOLE}/api/auth/oidc/callback`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The cookies a browser would keep, by name (one site is enough here: each party reads only its own). */
class Jar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join("; ");
  }
}

const consoleRequest = (path: string, jar: Jar) => new Request(`${CONSOLE}${path}`, { headers: { host: "127.0.0.1:3000", cookie: jar.header() } });

/** Follows the provider's redirects and submits its login and consent forms, until it sends the browser back to the console. */
async function throughProvider(start: string, jar: Jar, login: string): Promise<string> {
  let url = start;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(REDIRECT_URI)) return url;
    let response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
    jar.store(response);
    if (response.status === 200) {
      const html = await response.text();
      const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
      assert.ok(action, `a form on the provider's page ${url}`);
      const prompt = html.match(/name="prompt" value="([^"]+)"/)?.[1] ?? "";
      const body = new URLSearchParams(prompt === "login" ? { prompt, login, password: "any" } : { prompt });
      response = await fetch(new URL(action, url), { method: "POST", redirect: "manual", headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" }, body });
      jar.store(response);
    }
    assert.ok(response.status >= 300 && response.status < 400, `the provider redirects (got ${response.status} at ${url})`);
    url = new URL(response.headers.get("location")!, url).href;
  }
  throw new Error("the provider never sent the browser back");
}

describe("single sign-on with OpenID Connect, against a real provider", () => {
  let server: Server;
  let issuer: string;

  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, {
      clients: [{ client_id: "sluice", client_secret: "sluice-client-secret", redirect_uris: [REDIRECT_URI], grant_types: ["authorization_code"], response_types: ["code"] }],
      claims: { openid: ["sub"], profile: ["preferred_username", "groups"] },
      conformIdTokenClaims: false,
      findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, preferred_username: sub, groups: sub === "olivia" ? ["kafka-ops", "staff"] : ["staff"] }) }),
      cookies: { keys: ["oidc-test-cookie-key"] },
    });
    server = provider.listen(port, "127.0.0.1");
    useConsoleConfig(
      parseConsoleConfig(
        JSON.stringify({
          oidc: { issuer, clientId: "sluice", clientSecret: "sluice-client-secret", redirectUri: REDIRECT_URI, scopes: ["openid", "profile"], groupRoles: { "kafka-ops": ["operator"] }, allowInsecureRequests: true },
          auth: { sessionSecret: "an-oidc-test-secret-that-is-long-enough" },
        }),
        "oidc.json",
      ),
    );
    useAuditStore(AuditStore.open(":memory:"));
  });
  after(() => {
    useConsoleConfig(null);
    server?.close();
  });

  async function logIn(login: string): Promise<{ jar: Jar; done: Response }> {
    const jar = new Jar();
    const started = await startRoute(consoleRequest("/api/auth/oidc/start?next=%2Ftopics", jar), undefined);
    assert.equal(started.status, 302);
    const location = started.headers.get("location")!;
    assert.ok(location.startsWith(`${issuer}/auth?`), location);
    assert.match(location, /code_challenge_method=S256/);
    jar.store(started);
    const back = await throughProvider(location, jar, login);
    const done = await callbackRoute(consoleRequest(back.slice(CONSOLE.length), jar), undefined);
    jar.store(done);
    return { jar, done };
  }

  it("a user of a mapped group logs in with its roles, returns to where the login started, and is refused what the roles lack", async () => {
    const { jar, done } = await logIn("olivia");
    assert.equal(done.status, 303, await done.clone().text());
    assert.equal(done.headers.get("location"), "/topics");
    const info = (await (await sessionRoute(consoleRequest("/api/session", jar), undefined)).json()) as any;
    assert.deepEqual([info.authEnabled, info.user, info.roles], [true, "olivia", ["operator"]]);
    assert.equal(info.access.grants[0].actions.includes("topics:delete"), false);
  });

  it("a user of no mapped group logs in with no role: every Kafka route is 403", async () => {
    const { jar, done } = await logIn("sam");
    assert.equal(done.status, 303);
    const refused = await clusterRoute(consoleRequest("/api/cluster", jar), undefined);
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as any).error.message, /'sam' has no role/);
  });

  it("a callback without the attempt's cookie, or with a state the console did not send, logs nobody in", async () => {
    const jar = new Jar();
    const started = await startRoute(consoleRequest("/api/auth/oidc/start", jar), undefined);
    jar.store(started);
    const back = await throughProvider(started.headers.get("location")!, jar, "olivia");
    const stranger = await callbackRoute(consoleRequest(back.slice(CONSOLE.length), new Jar()), undefined);
    assert.equal(stranger.status, 400);
    assert.equal(stranger.headers.getSetCookie().length, 0);
    const forged = back.replace(/state=[^&]+/, "state=forged");
    const wrongState = await callbackRoute(consoleRequest(forged.slice(CONSOLE.length), jar), undefined);
    assert.equal(wrongState.status, 400);
    assert.match(((await wrongState.json()) as any).error.message, /refused/);
  });
});
