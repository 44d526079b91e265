import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  escapeSaslName,
  parseClientFinalMessage,
  parseClientFirstMessage,
  parseServerFinalMessage,
  parseServerFirstMessage,
  scramCredential,
  ScramClient,
  ScramFormatError,
  unescapeSaslName,
  verifyClientProof,
  authMessage,
} from "../../../src/protocol/sasl/scram";
import { encodePlainMessage, parsePlainMessage } from "../../../src/protocol/sasl/plain";

// RFC 7677, section 3: user "user", password "pencil".
const RFC7677 = {
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

describe("SCRAM messages and keys (RFC 5802, RFC 7677)", () => {
  it("the client reproduces the SCRAM-SHA-256 exchange of RFC 7677 and accepts its server signature", () => {
    const client = new ScramClient("SCRAM-SHA-256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    assert.equal(client.firstMessage(), RFC7677.clientFirst);
    assert.equal(client.finalMessage(RFC7677.serverFirst), RFC7677.clientFinal);
    client.verifyServerFinal(RFC7677.serverFinal);
    assert.throws(() => client.verifyServerFinal("v=" + Buffer.alloc(32).toString("base64")), ScramFormatError);
    assert.throws(() => client.verifyServerFinal("e=invalid-proof"), /invalid-proof/);
  });

  it("a stored credential verifies the RFC 7677 proof and rejects another password's", () => {
    const serverFirst = parseServerFirstMessage(RFC7677.serverFirst);
    const first = parseClientFirstMessage(RFC7677.clientFirst);
    const final = parseClientFinalMessage(RFC7677.clientFinal);
    const auth = authMessage(first.bare, RFC7677.serverFirst, final.withoutProof);
    const right = scramCredential("SCRAM-SHA-256", "pencil", serverFirst.salt, serverFirst.iterations);
    const wrong = scramCredential("SCRAM-SHA-256", "pen", serverFirst.salt, serverFirst.iterations);
    assert.equal(verifyClientProof("SCRAM-SHA-256", right, auth, final.proof), true);
    assert.equal(verifyClientProof("SCRAM-SHA-256", wrong, auth, final.proof), false);
    assert.equal(verifyClientProof("SCRAM-SHA-256", right, auth, final.proof.subarray(1)), false);
  });

  it("SCRAM-SHA-512 keys are 64 bytes and a client/server round trip agrees", () => {
    const salt = Buffer.from("0123456789abcdef");
    const credential = scramCredential("SCRAM-SHA-512", "secret", salt, 4096);
    assert.equal(credential.storedKey.length, 64);
    assert.equal(credential.serverKey.length, 64);
    const client = new ScramClient("SCRAM-SHA-512", "alice", "secret", "clientnonce");
    const serverFirst = `r=clientnonceSERVER,s=${salt.toString("base64")},i=4096`;
    const final = parseClientFinalMessage(client.finalMessage(serverFirst));
    const auth = authMessage(parseClientFirstMessage(client.firstMessage()).bare, serverFirst, final.withoutProof);
    assert.equal(verifyClientProof("SCRAM-SHA-512", credential, auth, final.proof), true);
  });

  it("user names escape ',' and '=' (saslname) and reject other '=' sequences", () => {
    assert.equal(escapeSaslName("a=b,c"), "a=3Db=2Cc");
    assert.equal(unescapeSaslName("a=3Db=2Cc"), "a=b,c");
    assert.throws(() => unescapeSaslName("a=4Fb"), ScramFormatError);
    assert.equal(parseClientFirstMessage("n,,n=a=3Db,r=xyz").username, "a=b");
    assert.equal(new ScramClient("SCRAM-SHA-256", "a,b", "p", "n1").firstMessage(), "n,,n=a=2Cb,r=n1");
  });

  it("client-first: an authorization id and extensions are read; channel binding and mandatory extensions are refused", () => {
    const first = parseClientFirstMessage("n,a=alice,n=alice,r=abc,tokenauth=true");
    assert.equal(first.authorizationId, "alice");
    assert.equal(first.gs2Header, "n,a=alice,");
    assert.equal(first.extensions.get("tokenauth"), "true");
    for (const bad of ["y,,n=a,r=b", "p=tls-unique,,n=a,r=b", "n,,m=x,n=a,r=b", "n,,r=b,n=a", "n,,n=,r=b", "n,,n=a,r=", "n,,n=a,r=b,c", "n,x,n=a,r=b", "n,,n=a"])
      assert.throws(() => parseClientFirstMessage(bad), ScramFormatError, bad);
  });

  it("server-first, client-final and server-final reject what does not parse", () => {
    for (const bad of ["r=abc,s=!!,i=4096", "r=abc,s=AAAA,i=0", "r=abc,s=AAAA,i=12x", "s=AAAA,r=abc,i=4096", "r=abc,s=AAAA"])
      assert.throws(() => parseServerFirstMessage(bad), ScramFormatError, bad);
    for (const bad of ["c=biws,r=abc", "c=biws,r=abc,p=@@", "r=abc,c=biws,p=AAAA", "c=bi,r=abc,p=AAAA"])
      assert.throws(() => parseClientFinalMessage(bad), ScramFormatError, bad);
    assert.throws(() => parseServerFinalMessage("x=1"), ScramFormatError);
    assert.deepEqual(parseServerFinalMessage("e=unknown-user"), { error: "unknown-user" });
  });

  it("the client refuses a server nonce that does not extend its own, and too few or too many iterations", () => {
    const client = () => new ScramClient("SCRAM-SHA-256", "u", "p", "abc");
    assert.throws(() => client().finalMessage("r=xyzabc,s=AAAA,i=4096"), /nonce/);
    assert.throws(() => client().finalMessage("r=abc,s=AAAA,i=4096"), /nonce/);
    assert.throws(() => client().finalMessage("r=abcd,s=AAAA,i=1000"), /iterations/);
    assert.throws(() => client().finalMessage("r=abcd,s=AAAA,i=100000000"), /iterations/);
  });
});

describe("PLAIN messages (RFC 4616)", () => {
  it("encode and parse authzid NUL user NUL password; another shape gives Kafka's error", () => {
    assert.deepEqual(parsePlainMessage(encodePlainMessage("alice", "pä=ss")), {
      ok: true,
      credentials: { authorizationId: "", username: "alice", password: "pä=ss" },
    });
    assert.deepEqual(parsePlainMessage(Buffer.from("alice\0secret")), { ok: false, error: "Invalid SASL/PLAIN response: expected 3 tokens, got 2" });
  });
});
