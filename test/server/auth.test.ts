import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestBroker, uniqueTopic, type TestBroker } from "../../broker/test/helpers/broker";
import { GET as auditRoute } from "@/app/api/audit/route";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { POST as logoutRoute } from "@/app/api/auth/logout/route";
import { GET as brokersRoute } from "@/app/api/brokers/route";
import { GET as clusterRoute } from "@/app/api/cluster/route";
import { DELETE as groupDelete, GET as groupGet } from "@/app/api/groups/[group]/route";
import { PUT as offsetsPut } from "@/app/api/groups/[group]/offsets/route";
import { GET as groupsRoute } from "@/app/api/groups/route";
import { GET as groupListRoute } from "@/app/api/group-list/route";
import { GET as sessionRoute } from "@/app/api/session/route";
import { PATCH as topicConfigsPatch } from "@/app/api/topics/[topic]/configs/route";
import { GET as messagesGet, POST as messagesPost } from "@/app/api/topics/[topic]/messages/route";
import { POST as purgeRoute } from "@/app/api/topics/[topic]/purge/route";
import { GET as recordRoute } from "@/app/api/topics/[topic]/records/[partition]/[offset]/route";
import { GET as tailRoute } from "@/app/api/topics/[topic]/tail/route";
import { DELETE as topicDelete, GET as topicGet } from "@/app/api/topics/[topic]/route";
import { GET as topicsGet, POST as topicsPost } from "@/app/api/topics/route";
import { createTopicInputSchema } from "@/lib/contracts";
import type { Action } from "@/lib/permissions";
import { AuditStore } from "@/server/audit/store";
import { useAuditStore } from "@/server/audit";
import { loginRateLimit } from "@/server/auth/login";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { decodeSession, encodeSession } from "@/server/auth/session";
import { parseConsoleConfig, useConsoleConfig } from "@/server/config/load";
import type { ConsoleConfig } from "@/server/config/schema";
import { useCluster, type ClusterClients } from "@/server/kafka/registry";
import { createTopic } from "@/server/services/create-topic";

const BASE = "http://127.0.0.1:3000";
const SECRET = "a-test-secret-that-is-long-enough-for-hmac";
const PASSWORD = "correct horse battery staple";

/** One request to a route handler, as the browser on the console's own page would send it. */
type Handler = (request: Request, context: any) => Promise<Response>;
interface Call {
  action: Action;
  label: string;
  run: (cookie: string | undefined, topic: string) => Promise<Response>;
}

function request(method: string, path: string, { cookie, body, origin, host = "127.0.0.1:3000" }: { cookie?: string; body?: unknown; origin?: string; host?: string } = {}) {
  const headers: Record<string, string> = { host };
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Request(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const topicContext = (topic: string) => ({ params: Promise.resolve({ topic }) });
const call = (handler: Handler, method: string, path: string, context: unknown = undefined, body?: unknown) => (cookie: string | undefined) =>
  handler(request(method, path, { cookie, body, origin: method === "GET" ? undefined : "http://127.0.0.1:3000" }), context);

/** Every action against a real route handler; `topic` is one the call may use (and, for delete, delete). */
const CALLS: Call[] = [
  { action: "cluster:view", label: "GET /api/cluster", run: (c) => call(clusterRoute, "GET", "/api/cluster")(c) },
  { action: "cluster:view", label: "GET /api/brokers", run: (c) => call(brokersRoute, "GET", "/api/brokers")(c) },
  { action: "topics:view", label: "GET /api/topics", run: (c) => call(topicsGet, "GET", "/api/topics")(c) },
  { action: "topics:view", label: "GET /api/topics/{t}", run: (c, t) => call(topicGet, "GET", `/api/topics/${t}`, topicContext(t))(c) },
  { action: "messages:view", label: "GET /api/topics/{t}/messages", run: (c, t) => call(messagesGet, "GET", `/api/topics/${t}/messages`, topicContext(t))(c) },
  { action: "messages:produce", label: "POST /api/topics/{t}/messages", run: (c, t) => call(messagesPost, "POST", `/api/topics/${t}/messages`, topicContext(t), { value: "hello" })(c) },
  { action: "topics:create", label: "POST /api/topics", run: (c) => call(topicsPost, "POST", "/api/topics", undefined, { name: uniqueTopic("created"), partitions: 1, replicationFactor: 1 })(c) },
  {
    action: "configs:edit",
    label: "PATCH /api/topics/{t}/configs",
    run: (c, t) => call(topicConfigsPatch, "PATCH", `/api/topics/${t}/configs`, topicContext(t), { set: { "retention.ms": "3600000" } })(c),
  },
  { action: "topics:purge", label: "POST /api/topics/{t}/purge", run: (c, t) => call(purgeRoute, "POST", `/api/topics/${t}/purge`, topicContext(t))(c) },
  { action: "groups:view", label: "GET /api/groups", run: (c) => call(groupsRoute, "GET", "/api/groups")(c) },
  {
    action: "groups:reset-offsets",
    label: "PUT /api/groups/{g}/offsets",
    run: (c, t) => call(offsetsPut, "PUT", `/api/groups/g-${t}/offsets`, undefined, { offsets: [{ topic: t, partition: 0, offset: 0 }], createIfMissing: true })(c),
  },
  { action: "groups:delete", label: "DELETE /api/groups/{g}", run: (c, t) => call(groupDelete, "DELETE", `/api/groups/g-${t}`)(c) },
  { action: "topics:delete", label: "DELETE /api/topics/{t}", run: (c, t) => call(topicDelete, "DELETE", `/api/topics/${t}`, topicContext(t))(c) },
  { action: "audit:view", label: "GET /api/audit", run: (c) => call(auditRoute, "GET", "/api/audit")(c) },
];

const VIEWER: Action[] = ["cluster:view", "topics:view", "messages:view", "groups:view"];
const OPERATOR: Action[] = [...VIEWER, "messages:produce", "topics:create", "configs:edit", "topics:purge", "groups:reset-offsets"];
const ALL: Action[] = CALLS.map((c) => c.action);

async function configWith(overrides: Partial<Record<string, unknown>> = {}): Promise<ConsoleConfig> {
  const hash = await hashPassword(PASSWORD);
  return parseConsoleConfig(
    JSON.stringify({
      clusters: [{ id: "local", name: "Local", bootstrapServers: ["127.0.0.1:1"] }],
      users: [
        { username: "vera", passwordHash: hash, roles: ["viewer"] },
        { username: "otto", passwordHash: hash, roles: ["operator"] },
        { username: "ada", passwordHash: hash, roles: ["admin"] },
        { username: "olga", passwordHash: hash, roles: ["orders-team"] },
        { username: "nobody", passwordHash: hash, roles: [] },
      ],
      roles: [
        {
          name: "orders-team",
          grants: [
            { actions: ["topics:view", "messages:view", "messages:produce"], topics: ["orders.*"] },
            { actions: ["groups:view"], groups: ["orders-*"] },
          ],
        },
      ],
      auth: { sessionSecret: SECRET },
      ...overrides,
    }),
    "test.json",
  );
}

async function logIn(username: string, password = PASSWORD, address = "10.0.0.1"): Promise<{ response: Response; cookie?: string }> {
  const response = await loginRoute(
    new Request(`${BASE}/api/auth/login`, {
      method: "POST",
      headers: { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000", "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ username, password }),
    }),
    undefined,
  );
  const set = response.headers.get("set-cookie");
  return { response, cookie: set ? set.split(";")[0] : undefined };
}

describe("the configuration file", () => {
  it("names the path of every bad field: a plain password, an unknown role, a repeated cluster id, a bad pattern", () => {
    const text = `
clusters:
  - id: a
    bootstrapServers: ["h:1"]
  - id: a
    bootstrapServers: ["nohost"]
users:
  - username: ann
    passwordHash: hunter2
    roles: [ops]
masking:
  - topics: ["*"]
    patterns: ["(unclosed"]
`;
    assert.throws(
      () => parseConsoleConfig(text, "/etc/sluice.yaml"),
      (error: Error) => {
        assert.match(error.message, /^the console configuration \/etc\/sluice\.yaml is not valid:/);
        assert.match(error.message, /clusters\.1\.bootstrapServers\.0: host:port/);
        assert.match(error.message, /users\.0\.passwordHash: not a scrypt hash/);
        assert.match(error.message, /users\.0\.roles\.0: no role 'ops' \(known: viewer, operator, admin\)/);
        assert.match(error.message, /clusters\.1: 'a' appears twice/);
        assert.match(error.message, /masking\.0\.patterns\.0: not a regular expression/);
        return true;
      },
    );
    assert.throws(() => parseConsoleConfig('{"readOnly": true, "colour": 1}', "c.json"), /\(top level\): Unrecognized key\(s\) in object: 'colour'/);
    assert.throws(() => parseConsoleConfig("{ not json", "c.json"), /c\.json does not parse/);
  });

  it("an empty file is the console as without one: no cluster, no users, not read-only", () => {
    const config = parseConsoleConfig("", "empty.yaml");
    assert.deepEqual([config.clusters, config.users, config.readOnly], [[], [], false]);
  });
});

describe("passwords and sessions", () => {
  it("scrypt hashes verify the right password only; a malformed or absurd hash verifies nothing", async () => {
    const hash = await hashPassword("s3cret-enough");
    assert.match(hash, /^scrypt\$32768\$8\$1\$/);
    assert.ok(!hash.includes("s3cret-enough"));
    assert.equal(await verifyPassword("s3cret-enough", hash), true);
    assert.equal(await verifyPassword("s3cret-enougH", hash), false);
    assert.equal(await verifyPassword("x", "scrypt$1073741824$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA=="), false, "N beyond the cap is refused, not computed");
    assert.equal(await verifyPassword("x", "plain"), false);
  });

  it("a session cookie is refused when its payload or signature is changed, or once it has expired", () => {
    const secret = Buffer.from(SECRET);
    const value = encodeSession({ user: "ada", issuedAtMs: 1_000, expiresAtMs: 10_000 }, secret);
    assert.equal(decodeSession(value, secret, 5_000)?.user, "ada");
    assert.equal(decodeSession(value, secret, 10_000), null, "expired");
    const [payload, signature] = value.split(".");
    const forged = Buffer.from(JSON.stringify({ u: "root", iat: 1_000, exp: 10_000 })).toString("base64url");
    assert.equal(decodeSession(`${forged}.${signature}`, secret, 5_000), null);
    assert.equal(decodeSession(`${payload}.${signature.slice(0, -2)}AA`, secret, 5_000), null);
    assert.equal(decodeSession(value, Buffer.from("another-secret-another-secret-another"), 5_000), null);
  });
});

describe("users, roles and the guard, against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  let audit: AuditStore;
  let config: ConsoleConfig;
  const cookies: Record<string, string> = {};

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-auth-test", ssl: undefined, sasl: undefined });
    config = await configWith();
    useConsoleConfig(config);
    audit = AuditStore.open(":memory:");
    useAuditStore(audit);
    for (const user of ["vera", "otto", "ada", "olga", "nobody"]) {
      const { response, cookie } = await logIn(user);
      assert.equal(response.status, 200, `${user} logs in`);
      cookies[user] = cookie!;
    }
  });
  after(async () => {
    useConsoleConfig(null);
    audit?.close();
    await clients?.reset();
    await node?.destroy();
  });
  beforeEach(() => useConsoleConfig(config));

  for (const [user, allowed] of [
    ["vera", VIEWER],
    ["otto", OPERATOR],
    ["ada", ALL],
  ] as const) {
    it(`${user} (${user === "vera" ? "viewer" : user === "otto" ? "operator" : "admin"}): each action is allowed or refused with 403 naming the missing permission`, async () => {
      const topic = uniqueTopic(`roles-${user}`);
      await createTopic(createTopicInputSchema.parse({ name: topic, partitions: 1, replicationFactor: 1 }), clients);
      for (const c of CALLS) {
        const response = await c.run(cookies[user], topic);
        if (allowed.includes(c.action)) {
          assert.ok(response.status !== 401 && response.status !== 403 && response.status < 500, `${user} may ${c.action} (${c.label}): got ${response.status} ${await response.clone().text()}`);
        } else {
          assert.equal(response.status, 403, `${user} may not ${c.action} (${c.label})`);
          const body = (await response.json()) as { error: { code: string; message: string } };
          assert.equal(body.error.code, "FORBIDDEN");
          assert.match(body.error.message, new RegExp(`^missing permission ${c.action}: the roles of '${user}'`));
          assert.equal(response.headers.get("x-sluice-missing-permission"), c.action);
        }
      }
    });
  }

  it("a role on a topic pattern: allowed on orders.*, refused on any other topic; no role at all: refused everything", async () => {
    const orders = uniqueTopic("orders.");
    const other = uniqueTopic("payments");
    await createTopic(createTopicInputSchema.parse({ name: orders, partitions: 1, replicationFactor: 1 }), clients);
    await createTopic(createTopicInputSchema.parse({ name: other, partitions: 1, replicationFactor: 1 }), clients);
    const produce = (t: string, who: string) => call(messagesPost, "POST", `/api/topics/${t}/messages`, topicContext(t), { value: "v" })(cookies[who]);
    assert.equal((await produce(orders, "olga")).status, 201);
    const refused = await produce(other, "olga");
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as any).error.message, new RegExp(`no messages:produce on topic '${other}' on cluster 'local'`));
    assert.equal((await call(clusterRoute, "GET", "/api/cluster")(cookies.olga)).status, 403, "no cluster:view in the role");
    const listed = (await (await call(topicsGet, "GET", "/api/topics?internal=1")(cookies.olga)).json()) as { topics: Array<{ name: string }> };
    assert.ok(listed.topics.some((t) => t.name === orders), "the topic list holds the orders topic");
    assert.deepEqual(listed.topics.filter((t) => !t.name.startsWith("orders.")), [], "and no topic outside the role's pattern");
    const commit = (group: string) =>
      call(offsetsPut, "PUT", `/api/groups/${group}/offsets`, undefined, { offsets: [{ topic: orders, partition: 0, offset: 0 }], createIfMissing: true })(cookies.ada);
    const [mine, theirs] = [`orders-${orders}`, `billing-${orders}`];
    assert.equal((await commit(mine)).status, 200);
    assert.equal((await commit(theirs)).status, 200);
    const groups = ((await (await call(groupsRoute, "GET", "/api/groups")(cookies.olga)).json()) as { groups: Array<{ groupId: string }> }).groups.map((g) => g.groupId);
    assert.ok(groups.includes(mine) && !groups.includes(theirs), `olga sees orders-* groups only: ${groups.join(", ")}`);
    // The paged groups list too, searched for both: only hers is a row or counted.
    const page = (await (await call(groupListRoute, "GET", `/api/group-list?q=${encodeURIComponent(orders)}`)(cookies.olga)).json()) as {
      groups: Array<{ groupId: string }>;
      matching: number;
    };
    assert.deepEqual([page.groups.map((g) => g.groupId), page.matching], [[mine], 1], "the groups list holds only the orders-* group");
    const adminPage = (await (await call(groupListRoute, "GET", `/api/group-list?q=${encodeURIComponent(orders)}`)(cookies.ada)).json()) as { matching: number };
    assert.equal(adminPage.matching, 2, "while a user with every group sees both");
    assert.equal((await call(groupGet, "GET", `/api/groups/${theirs}`)(cookies.olga)).status, 403);
    const none = await call(topicsGet, "GET", "/api/topics")(cookies.nobody);
    assert.equal(none.status, 403);
    assert.match(((await none.json()) as any).error.message, /'nobody' has no role/);
  });

  it("refused before any Kafka call: with the cluster unreachable, a refused change is 403 at once while an allowed one finds the cluster down (503)", async () => {
    const dead = useCluster({ id: "default", brokers: ["127.0.0.1:1"], clientId: "sluice-auth-dead", ssl: undefined, sasl: undefined });
    try {
      const produce = (who: string) => call(messagesPost, "POST", "/api/topics/any/messages", topicContext("any"), { value: "v" })(cookies[who]);
      assert.equal((await produce("vera")).status, 403);
      assert.equal((await produce("ada")).status, 503);
    } finally {
      await dead.reset();
      useCluster(clients.config);
    }
  });

  it("no session, a forged one, or a logged-out user's: 401 on every route but the login", async () => {
    assert.equal((await call(topicsGet, "GET", "/api/topics")(undefined)).status, 401);
    assert.equal((await call(topicsGet, "GET", "/api/topics")("sluice_session=eyJ1IjoiYWRhIn0.AAAA")).status, 401);
    const { cookie } = await logIn("ada");
    const out = await logoutRoute(request("POST", "/api/auth/logout", { cookie, origin: "http://127.0.0.1:3000" }), undefined);
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie")!, /^sluice_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
  });

  it("the session cookie is http-only, SameSite=Lax and expires; GET /api/session tells the UI the grants", async () => {
    const { response } = await logIn("otto");
    const set = response.headers.get("set-cookie")!;
    assert.match(set, /^sluice_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/);
    const info = (await (await call(sessionRoute, "GET", "/api/session")(cookies.otto)).json()) as any;
    assert.deepEqual([info.authEnabled, info.user, info.roles, info.cluster], [true, "otto", ["operator"], { id: "local", name: "Local" }]);
    assert.equal(info.access.grants[0].actions.includes("topics:delete"), false);
  });

  it("a change sent from another site is refused with 403, even with a valid session, and audited as refused", async () => {
    const topic = uniqueTopic("csrf");
    const response = await messagesPost(request("POST", `/api/topics/${topic}/messages`, { cookie: cookies.ada, body: { value: "x" }, origin: "https://evil.example" }), topicContext(topic));
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as any).error.message, /a change sent from https:\/\/evil\.example to 127\.0\.0\.1:3000 is refused/);
    const [entry] = audit.query({ target: topic, limit: 10, format: "json" });
    assert.deepEqual([entry.result, entry.status, entry.action], ["refused", 403, "messages:produce"]);
  });

  it("read-only (globally, or the cluster): every change is 403 saying so, even for an admin; reads still work", async () => {
    for (const overrides of [{ readOnly: true }, { clusters: [{ id: "local", bootstrapServers: ["127.0.0.1:1"], readOnly: true }] }]) {
      useConsoleConfig(await configWith(overrides));
      const topic = uniqueTopic("read-only");
      await createTopic(createTopicInputSchema.parse({ name: topic, partitions: 1, replicationFactor: 1 }), clients);
      for (const c of CALLS) {
        const response = await c.run(cookies.ada, topic);
        if (OPERATOR.includes(c.action) && !VIEWER.includes(c.action) || c.action === "topics:delete" || c.action === "groups:delete") {
          assert.equal(response.status, 403, `${c.label} on a read-only cluster`);
          assert.match(((await response.json()) as any).error.message, /read-only/);
        } else assert.equal(response.status, 200, `${c.label} reads`);
      }
    }
  });

  it("the audit log: every change with who, cluster, what and result (ok, failed, refused), and logins; filtered and exported as JSON lines", async () => {
    const topic = uniqueTopic("audited");
    await createTopic(createTopicInputSchema.parse({ name: topic, partitions: 1, replicationFactor: 1 }), clients);
    const since = Date.now();
    assert.equal((await call(messagesPost, "POST", `/api/topics/${topic}/messages`, topicContext(topic), { value: "v" })(cookies.otto)).status, 201);
    assert.equal((await call(purgeRoute, "POST", `/api/topics/${topic}/purge`, topicContext(topic))(cookies.vera)).status, 403);
    assert.equal((await call(topicDelete, "DELETE", "/api/topics/no-such-topic-audit", topicContext("no-such-topic-audit"))(cookies.ada)).status, 404);
    assert.equal((await call(topicGet, "GET", `/api/topics/${topic}`, topicContext(topic))(cookies.ada)).status, 200);
    await logIn("ada", "wrong password", "10.9.9.9");

    const entries = audit.query({ fromMs: since, limit: 100, format: "json" });
    const summary = entries.map((e) => [e.user, e.cluster, e.action, e.target, e.result, e.status]).reverse();
    assert.deepEqual(summary, [
      ["otto", "local", "messages:produce", topic, "ok", 201],
      ["vera", "local", "topics:purge", topic, "refused", 403],
      ["ada", "local", "topics:delete", "no-such-topic-audit", "failed", 404],
      ["ada", "local", "auth:login", null, "refused", 401],
    ], "reads are not audited; each change and login is");
    assert.match(entries.find((e) => e.action === "topics:purge")!.detail!, /missing permission topics:purge/);

    const viewerRead = await call(auditRoute, "GET", "/api/audit")(cookies.vera);
    assert.equal(viewerRead.status, 403, "a viewer may not read the audit log");
    const exported = await auditRoute(request("GET", `/api/audit?format=jsonl&user=vera&fromMs=${since}`, { cookie: cookies.ada }), undefined);
    assert.equal(exported.headers.get("content-type"), "application/x-ndjson; charset=utf-8");
    const lines = (await exported.text()).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.user, l.action, l.result]), [["vera", "topics:purge", "refused"]]);
  });

  it("logins are rate limited per address and user: after 5 failures even the right password gets 429 with Retry-After; another address is not limited", async () => {
    loginRateLimit().succeed("10.1.1.1", "otto");
    for (let i = 0; i < 5; i++) assert.equal((await logIn("otto", "nope", "10.1.1.1")).response.status, 401);
    const limited = await logIn("otto", PASSWORD, "10.1.1.1");
    assert.equal(limited.response.status, 429);
    assert.ok(Number(limited.response.headers.get("retry-after")) > 0);
    assert.equal(limited.cookie, undefined);
    assert.equal((await logIn("otto", PASSWORD, "10.1.1.2")).response.status, 200);
    const [entry] = audit.query({ user: "otto", action: "auth:login", limit: 1, format: "json" });
    assert.deepEqual([entry.address, entry.result, entry.status], ["10.1.1.2", "ok", 200]);
    assert.equal(audit.query({ user: "otto", action: "auth:login", result: "refused", limit: 100, format: "json" }).filter((e) => e.status === 429).length, 1);
  });
});

describe("without a configuration file", () => {
  let node: TestBroker;
  let clients: ClusterClients;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-noauth-test", ssl: undefined, sasl: undefined });
    useConsoleConfig(null);
    useAuditStore(AuditStore.open(":memory:"));
  });
  after(async () => {
    await clients?.reset();
    await node?.destroy();
  });

  it("no login: every route works as before, for a request to a loopback address", async () => {
    const topic = uniqueTopic("open");
    const created = await topicsPost(request("POST", "/api/topics", { body: { name: topic, partitions: 1, replicationFactor: 1 } }), undefined);
    assert.equal(created.status, 201);
    assert.equal((await topicGet(request("GET", `/api/topics/${topic}`), topicContext(topic))).status, 200);
    const info = (await (await sessionRoute(request("GET", "/api/session"), undefined)).json()) as any;
    assert.deepEqual([info.authEnabled, info.user], [false, null]);
  });

  it("a request to another host name is refused (the console serves only loopback without users; this also stops DNS rebinding)", async () => {
    const response = await topicsGet(request("GET", "/api/topics", { host: "sluice.example.com" }), undefined);
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as any).error.message, /no users configured, so it serves only on loopback \(asked for sluice\.example\.com\)/);
    assert.equal((await groupGet(request("GET", "/api/groups/x", { host: "[::1]:3000" }), undefined)).status, 404, "::1 is loopback");
  });
});

describe("data masking, against a real broker", () => {
  let node: TestBroker;
  let clients: ClusterClients;
  const SECRET_EMAIL = "ann.secret@example.com";
  const SECRET_CARD = "4111-1111-1111-1234";
  const SECRET_HEADER = "token-a1b2c3d4e5";
  const cookies: Record<string, string> = {};
  let config: ConsoleConfig;

  before(async () => {
    node = await startTestBroker();
    clients = useCluster({ id: "default", brokers: [node.bootstrap], clientId: "sluice-mask-test", ssl: undefined, sasl: undefined });
    config = await configWith({
      masking: [{ topics: ["pii.*"], jsonPaths: ["customer.email", "items.*.card"], patterns: ["token-[a-z0-9]+"], replacement: "***", exemptRoles: ["admin"] }],
    });
    useConsoleConfig(config);
    useAuditStore(AuditStore.open(":memory:"));
    for (const user of ["vera", "ada"]) cookies[user] = (await logIn(user)).cookie!;
  });
  after(async () => {
    useConsoleConfig(null);
    await clients?.reset();
    await node?.destroy();
  });

  const record = { customer: { email: SECRET_EMAIL, name: "Ann" }, items: [{ sku: "a", card: SECRET_CARD }] };
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  /** The raw body must hold no secret in any encoding a page could decode: text, or the base64 the contract carries. */
  const assertNoSecret = (body: string, where: string) => {
    for (const secret of [SECRET_EMAIL, SECRET_CARD, SECRET_HEADER]) {
      assert.ok(!body.includes(secret), `${where}: ${secret} in the body`);
      assert.ok(!body.includes(b64(secret).slice(0, 12)), `${where}: ${secret} in base64`);
    }
    const values = [...body.matchAll(/"base64":"([^"]*)"/g)].map((m) => Buffer.from(m[1], "base64").toString("utf8"));
    assert.ok(values.length > 0, `${where}: records in the body`);
    for (const v of values) for (const secret of [SECRET_EMAIL, SECRET_CARD, SECRET_HEADER]) assert.ok(!v.includes(secret), `${where}: ${secret} decoded from a payload`);
  };

  async function produce(topic: string, who: string) {
    const response = await call(messagesPost, "POST", `/api/topics/${topic}/messages`, topicContext(topic), {
      key: `key ${SECRET_HEADER}`,
      value: JSON.stringify(record),
      valueFormat: "json",
      headers: [{ key: "auth", value: SECRET_HEADER }],
    })(cookies[who]);
    assert.equal(response.status, 201);
  }

  it("browse, search, the whole record and the live tail: masked bytes are absent from the raw response bodies of a viewer; the admin (exempt) sees them", async () => {
    const topic = uniqueTopic("pii.orders");
    await createTopic(createTopicInputSchema.parse({ name: topic, partitions: 1, replicationFactor: 1 }), clients);
    await produce(topic, "ada");

    const browse = await call(messagesGet, "GET", `/api/topics/${topic}/messages?start=oldest&order=oldest-first`, topicContext(topic))(cookies.vera);
    const browseBody = await browse.text();
    assertNoSecret(browseBody, "browse");
    const value = JSON.parse(Buffer.from(JSON.parse(browseBody).messages[0].value.base64, "base64").toString("utf8"));
    assert.deepEqual(value, { customer: { email: "***", name: "Ann" }, items: [{ sku: "a", card: "***" }] }, "the other fields stay");

    const search = await call(messagesGet, "GET", `/api/topics/${topic}/messages?start=oldest&order=oldest-first&q=Ann`, topicContext(topic))(cookies.vera);
    assertNoSecret(await search.text(), "search");
    // Searching for the hidden value must not tell that it is there.
    const probe = (who: string) => call(messagesGet, "GET", `/api/topics/${topic}/messages?start=oldest&order=oldest-first&q=${encodeURIComponent(SECRET_EMAIL)}`, topicContext(topic))(cookies[who]);
    assert.equal(((await (await probe("vera")).json()) as any).messages.length, 0, "a search for a masked value finds nothing");
    assert.equal(((await (await probe("ada")).json()) as any).messages.length, 1, "the exempt admin finds it");

    const whole = await call(recordRoute, "GET", `/api/topics/${topic}/records/0/0`, { params: Promise.resolve({ topic, partition: "0", offset: "0" }) })(cookies.vera);
    assert.equal(whole.status, 200);
    assertNoSecret(await whole.text(), "record download");

    const stop = new AbortController();
    const tail = await tailRoute(new Request(`${BASE}/api/topics/${topic}/tail`, { headers: { host: "127.0.0.1:3000", cookie: cookies.vera }, signal: stop.signal }), topicContext(topic));
    assert.equal(tail.status, 200);
    const reader = tail.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    assert.match(text, /^event: start/);
    await produce(topic, "ada");
    while (!text.includes("event: records")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    stop.abort();
    assertNoSecret(text.slice(text.indexOf("event: records")), "live tail");

    const exempt = await call(messagesGet, "GET", `/api/topics/${topic}/messages?start=oldest&order=oldest-first`, topicContext(topic))(cookies.ada);
    assert.ok((await exempt.text()).includes(b64(JSON.stringify(record)).slice(0, 40)), "the admin role is exempt");

    const other = uniqueTopic("public");
    await createTopic(createTopicInputSchema.parse({ name: other, partitions: 1, replicationFactor: 1 }), clients);
    await produce(other, "ada");
    const unmasked = await call(messagesGet, "GET", `/api/topics/${other}/messages?start=oldest&order=oldest-first`, topicContext(other))(cookies.vera);
    assert.ok((await unmasked.text()).includes(b64(JSON.stringify(record)).slice(0, 40)), "a topic no rule names is not masked");
  });
});
