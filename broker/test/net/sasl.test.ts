import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Broker } from "../../src/broker";
import { parseBrokerConfig } from "../../src/config/broker-config";
import { ErrorCode } from "../../src/protocol/errors";
import { ApiKey } from "../../src/protocol/generated/api-messages";
import { encodePlainMessage } from "../../src/protocol/sasl/plain";
import { ScramClient, type ScramMechanism } from "../../src/protocol/sasl/scram";
import { createLogger } from "../../src/runtime/logger";
import { startTestBroker, type TestBroker } from "../helpers/broker";
import { encodeRequest, RawClient } from "../helpers/raw-client";
import { saslOverrides, saslPort, SASL_USERS } from "../helpers/sasl";

const SASL_RECEIVE_BYTES_MAX = 4096;

const metadataRequest = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
const apiVersions = (client: RawClient) => client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: "raw", clientSoftwareVersion: "1" });
const handshake = (client: RawClient, mechanism: string, version = 1) => client.request(ApiKey.SaslHandshake, version, { mechanism });
const authenticate = (client: RawClient, token: Buffer | string, version = 2) =>
  client.request(ApiKey.SaslAuthenticate, version, { authBytes: typeof token === "string" ? Buffer.from(token) : token });

/** A bare SASL token and the bare answer (after a v0 handshake). */
async function rawExchange(client: RawClient, token: Buffer | string): Promise<Buffer | null> {
  client.sendRaw(typeof token === "string" ? Buffer.from(token) : token);
  return client.nextFrame();
}

/** Authenticates a fresh connection with SCRAM over SaslAuthenticate; returns the client and the final response. */
async function scramLogin(port: number, mechanism: ScramMechanism, username: string, password: string) {
  const client = await RawClient.connect(port);
  assert.equal((await handshake(client, mechanism)).errorCode, ErrorCode.NONE);
  const scram = new ScramClient(mechanism, username, password, "fyko+d2lbbFgONRv9qkxdawL");
  const first = await authenticate(client, scram.firstMessage(), 1);
  assert.equal(first.errorCode, ErrorCode.NONE);
  const final = await authenticate(client, scram.finalMessage(first.authBytes.toString()), 1);
  return { client, scram, final };
}

describe("SASL_PLAINTEXT listener: handshake, authentication and what comes before it", () => {
  let node: TestBroker;
  let port: number;
  before(async () => {
    node = await startTestBroker({ ...saslOverrides(), "sasl.server.max.receive.size": String(SASL_RECEIVE_BYTES_MAX) });
    port = saslPort(node);
  });
  after(async () => node?.destroy());

  it("PLAIN: ApiVersions, SaslHandshake v1, SaslAuthenticate v2, then Metadata names this listener's address", async () => {
    const client = await RawClient.connect(port);
    const versions = await apiVersions(client);
    const advertised = (key: number) => versions.apiKeys.find((api: { apiKey: number }) => api.apiKey === key);
    assert.deepEqual([advertised(ApiKey.SaslHandshake).maxVersion, advertised(ApiKey.SaslAuthenticate).maxVersion], [1, 2]);
    const shaken = await handshake(client, "PLAIN");
    assert.deepEqual(shaken, { errorCode: ErrorCode.NONE, mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] });
    const authenticated = await authenticate(client, encodePlainMessage("alice", SASL_USERS.alice));
    assert.equal(authenticated.errorCode, ErrorCode.NONE);
    assert.equal(authenticated.errorMessage, null);
    assert.equal(authenticated.authBytes.length, 0);
    assert.equal(authenticated.sessionLifetimeMs, 0n);
    const metadata = await client.request(ApiKey.Metadata, 12, metadataRequest);
    assert.deepEqual(
      metadata.brokers.map((b: { nodeId: number; host: string; port: number }) => [b.nodeId, b.host, b.port]),
      [[1, "127.0.0.1", port]],
    );
    client.close();
  });

  for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"] as const)
    it(`${mechanism}: two SaslAuthenticate rounds; the server proves it knows the credential`, async () => {
      const { client, scram, final } = await scramLogin(port, mechanism, "bob", SASL_USERS.bob);
      assert.equal(final.errorCode, ErrorCode.NONE);
      scram.verifyServerFinal(final.authBytes.toString());
      const coordinator = await client.request(ApiKey.FindCoordinator, 3, { key: "g", keyType: 0, coordinatorKeys: [] });
      assert.deepEqual([coordinator.errorCode, coordinator.port], [ErrorCode.NONE, port]);
      client.close();
    });

  it("legacy (SaslHandshake v0): PLAIN as a bare token, answered by an empty frame", async () => {
    const client = await RawClient.connect(port);
    assert.equal((await handshake(client, "PLAIN", 0)).errorCode, ErrorCode.NONE);
    const answer = await rawExchange(client, encodePlainMessage("alice", SASL_USERS.alice));
    assert.deepEqual(answer, Buffer.alloc(0));
    assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
    client.close();
  });

  it("legacy (SaslHandshake v0): SCRAM-SHA-512 in bare tokens, then requests are served", async () => {
    const client = await RawClient.connect(port);
    assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
    assert.equal((await handshake(client, "SCRAM-SHA-512", 0)).errorCode, ErrorCode.NONE);
    const scram = new ScramClient("SCRAM-SHA-512", "alice", SASL_USERS.alice, "rawnonce");
    const serverFirst = await rawExchange(client, scram.firstMessage());
    const serverFinal = await rawExchange(client, scram.finalMessage(serverFirst!.toString()));
    scram.verifyServerFinal(serverFinal!.toString());
    assert.equal((await client.request(ApiKey.Metadata, 1, metadataRequest)).brokers[0].port, port);
    client.close();
  });

  it("a wrong password or an unknown user: SASL_AUTHENTICATION_FAILED with a message, then the connection closes", async () => {
    const plain = await RawClient.connect(port);
    await handshake(plain, "PLAIN");
    const refused = await authenticate(plain, encodePlainMessage("alice", "not-her-password"));
    assert.equal(refused.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(refused.errorMessage, "Authentication failed: Invalid username or password");
    assert.equal(await plain.nextFrame(), null);

    const unknownPlain = await RawClient.connect(port);
    await handshake(unknownPlain, "PLAIN");
    assert.equal((await authenticate(unknownPlain, encodePlainMessage("mallory", "x"))).errorMessage, "Authentication failed: Invalid username or password");

    const wrong = await scramLogin(port, "SCRAM-SHA-256", "bob", "not-bobs");
    assert.equal(wrong.final.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
    assert.equal(wrong.final.errorMessage, "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256");
    assert.equal(await wrong.client.nextFrame(), null);
    const unknown = await scramLogin(port, "SCRAM-SHA-256", "mallory", "x");
    assert.equal(unknown.final.errorMessage, wrong.final.errorMessage);
  });

  it("an unknown user gets the same salt each time, so SCRAM does not reveal which users exist", async () => {
    const salts: string[] = [];
    for (const username of ["mallory", "mallory"]) {
      const client = await RawClient.connect(port);
      await handshake(client, "SCRAM-SHA-256");
      const first = await authenticate(client, new ScramClient("SCRAM-SHA-256", username, "x", "n0nce").firstMessage());
      salts.push(/,s=([^,]+),/.exec(first.authBytes.toString())![1]);
      client.close();
    }
    assert.equal(salts[0], salts[1]);
  });

  it("legacy: a wrong password in a bare token closes the connection without an answer", async () => {
    const client = await RawClient.connect(port);
    await handshake(client, "PLAIN", 0);
    assert.equal(await rawExchange(client, encodePlainMessage("alice", "wrong")), null);
  });

  it("an unsupported mechanism: UNSUPPORTED_SASL_MECHANISM listing the enabled ones, then the connection closes", async () => {
    const client = await RawClient.connect(port);
    const response = await handshake(client, "GSSAPI");
    assert.deepEqual(response, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] });
    assert.equal(await client.nextFrame(), null);
  });

  for (const [what, steps] of [
    ["Metadata as the first request", [[ApiKey.Metadata, 1, metadataRequest]]],
    ["Produce after ApiVersions", [[ApiKey.ApiVersions, 0, {}], [ApiKey.Produce, 3, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [] }]]],
    ["a second ApiVersions", [[ApiKey.ApiVersions, 0, {}], [ApiKey.ApiVersions, 0, {}]]],
    ["Metadata between SaslHandshake and SaslAuthenticate", [[ApiKey.SaslHandshake, 1, { mechanism: "PLAIN" }], [ApiKey.Metadata, 1, metadataRequest]]],
    ["SaslAuthenticate before SaslHandshake", [[ApiKey.SaslAuthenticate, 1, { authBytes: encodePlainMessage("alice", SASL_USERS.alice) }]]],
  ] as const)
    it(`${what} closes the connection`, async () => {
      const client = await RawClient.connect(port);
      for (const [index, [apiKey, version, body]] of steps.entries()) {
        client.send(apiKey, version, body);
        const frame = await client.nextFrame();
        if (index < steps.length - 1) assert.notEqual(frame, null, "the steps before the last are answered");
        else assert.equal(frame, null);
      }
    });

  for (const [what, mechanism, token, message] of [
    ["PLAIN with two fields", "PLAIN", Buffer.from("alice\0secret"), "Invalid SASL/PLAIN response: expected 3 tokens, got 2"],
    ["PLAIN without a password", "PLAIN", encodePlainMessage("alice", ""), "Authentication failed: password not specified"],
    ["PLAIN acting for another user", "PLAIN", encodePlainMessage("alice", SASL_USERS.alice, "bob"), "Authentication failed: Client requested an authorization id that is different from username"],
    ["a SCRAM client-first that does not parse", "SCRAM-SHA-256", Buffer.from("hello"), "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256"],
    ["a SCRAM client-first asking for channel binding", "SCRAM-SHA-512", Buffer.from("p=tls-unique,,n=alice,r=abc"), "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"],
    ["a SCRAM client-first of invalid UTF-8 and NULs", "SCRAM-SHA-256", Buffer.from([0xff, 0xfe, 0, 0x2c, 0x2c]), "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256"],
  ] as const)
    it(`a malformed token (${what}) fails authentication with a message and closes the connection`, async () => {
      const client = await RawClient.connect(port);
      await handshake(client, mechanism);
      const response = await authenticate(client, token);
      assert.deepEqual([response.errorCode, response.errorMessage], [ErrorCode.SASL_AUTHENTICATION_FAILED, message]);
      assert.equal(await client.nextFrame(), null);
    });

  it("a SCRAM final message with another nonce or a garbled proof fails authentication", async () => {
    for (const mangle of [(final: string) => final.replace(/r=[^,]+/, "r=other"), (final: string) => final.replace(/p=.*/, "p=AAAA")]) {
      const client = await RawClient.connect(port);
      await handshake(client, "SCRAM-SHA-256");
      const scram = new ScramClient("SCRAM-SHA-256", "alice", SASL_USERS.alice, "abcdef");
      const first = await authenticate(client, scram.firstMessage());
      const final = await authenticate(client, mangle(scram.finalMessage(first.authBytes.toString())));
      assert.equal(final.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED);
      assert.equal(await client.nextFrame(), null);
    }
  });

  it("before authentication a frame over sasl.server.max.receive.size closes the connection; after it the usual limit applies", async () => {
    const early = await RawClient.connect(port);
    early.sendRaw(Buffer.alloc(16), SASL_RECEIVE_BYTES_MAX + 1);
    assert.equal(await early.nextFrame(), null);

    const client = await RawClient.connect(port);
    await handshake(client, "PLAIN");
    assert.equal((await authenticate(client, encodePlainMessage("alice", SASL_USERS.alice))).errorCode, ErrorCode.NONE);
    const topics = Array.from({ length: 200 }, (_, i) => ({ topicId: Buffer.alloc(16), name: `no-such-topic-with-a-long-name-${i}` }));
    const large = encodeRequest(ApiKey.Metadata, 9, { ...metadataRequest, topics }, 99);
    assert.ok(large.length > SASL_RECEIVE_BYTES_MAX);
    client.sendRaw(large);
    assert.notEqual(await client.nextFrame(), null);
    client.close();
  });

  it("after authentication SaslHandshake and SaslAuthenticate answer ILLEGAL_SASL_STATE (no re-authentication)", async () => {
    const client = await RawClient.connect(port);
    await handshake(client, "PLAIN");
    await authenticate(client, encodePlainMessage("alice", SASL_USERS.alice));
    assert.equal((await handshake(client, "PLAIN")).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.equal((await authenticate(client, encodePlainMessage("alice", SASL_USERS.alice))).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.equal((await apiVersions(client)).errorCode, ErrorCode.NONE);
    client.close();
  });

  it("the PLAINTEXT listener alongside needs no authentication, names its own address, and answers SASL requests with ILLEGAL_SASL_STATE", async () => {
    const client = await RawClient.connect(node.port);
    const metadata = await client.request(ApiKey.Metadata, 12, metadataRequest);
    assert.deepEqual(metadata.brokers.map((b: { port: number }) => b.port), [node.port]);
    const cluster = await client.request(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    assert.deepEqual(cluster.brokers.map((b: { port: number }) => b.port), [node.port]);
    assert.equal((await handshake(client, "PLAIN")).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    assert.equal((await authenticate(client, "x")).errorCode, ErrorCode.ILLEGAL_SASL_STATE);
    client.close();
  });
});

describe("SASL logging", () => {
  it("the broker log says why authentication failed and never holds a password", async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-sasl-log-"));
    const config = parseBrokerConfig({ "node.id": "1", "log.dirs": dir, ...saslOverrides() });
    const broker = await Broker.start(config, { logger: createLogger({ level: "debug", write: (line) => lines.push(line) }) });
    try {
      const port = broker.boundPort("SASL_PLAINTEXT");
      const plain = await RawClient.connect(port);
      await handshake(plain, "PLAIN");
      await authenticate(plain, encodePlainMessage("alice", "wrong-password-1"));
      const good = await RawClient.connect(port);
      await handshake(good, "PLAIN");
      await authenticate(good, encodePlainMessage("alice", SASL_USERS.alice));
      good.close();
      (await scramLogin(port, "SCRAM-SHA-512", "bob", "wrong-password-2")).client.close();
      (await scramLogin(port, "SCRAM-SHA-256", "bob", SASL_USERS.bob)).client.close();
    } finally {
      await broker.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
    const log = lines.join("\n");
    for (const secret of [SASL_USERS.alice, SASL_USERS.bob, "wrong-password-1", "wrong-password-2"]) assert.ok(!log.includes(secret), `log holds ${secret}`);
    assert.match(log, /SASL PLAIN authentication as \\"alice\\" failed: Authentication failed: Invalid username or password/);
    assert.match(log, /SASL SCRAM-SHA-512 authentication as \\"bob\\" failed: wrong password/);
    assert.match(log, /SASL authentication succeeded.*"principal":"User:bob"/);
  });
});
