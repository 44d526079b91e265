import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jaasUsers, JaasSyntaxError, parseJaasConfig } from "../../src/config/jaas";

describe("JAAS login module text (sasl.jaas.config)", () => {
  it("reads Kafka's PLAIN example: class, flag, options; user_ options are the users", () => {
    const module = parseJaasConfig(`org.apache.kafka.common.security.plain.PlainLoginModule required
      username="admin"
      password="admin-secret"
      user_admin="admin-secret"
      user_alice="alice-secret";`);
    assert.equal(module.loginModule, "org.apache.kafka.common.security.plain.PlainLoginModule");
    assert.equal(module.flag, "required");
    assert.equal(module.options.get("username"), "admin");
    assert.deepEqual([...jaasUsers(module)], [
      ["admin", "admin-secret"],
      ["alice", "alice-secret"],
    ]);
  });

  it("quoted values keep spaces, ';' and '=' and unescape \\\" and \\\\; bare words and comments are allowed", () => {
    const module = parseJaasConfig('Some.Module optional /* note */ user_x="a b;c=\\"d\\"\\\\" debug=true // end\n;');
    assert.equal(module.flag, "optional");
    assert.equal(module.options.get("user_x"), 'a b;c="d"\\');
    assert.equal(module.options.get("debug"), "true");
  });

  it("an option named just user_ is not a user", () => {
    assert.equal(jaasUsers(parseJaasConfig('M required user_="x";')).size, 0);
  });

  const secret = "hunter2-secret";
  for (const [what, text] of [
    ["a missing ';'", `M required user_a="${secret}"`],
    ["a second login module", `M required user_a="${secret}"; N required;`],
    ["an unknown flag", `M mandatory user_a="${secret}";`],
    ["an option without a value", `M required user_a= ;`],
    ["an option given twice", `M required user_a="${secret}" user_a="${secret}";`],
    ["an unterminated quote", `M required user_a="${secret};`],
    ["a stray character", `M required user_a="${secret}" !;`],
  ])
    it(`${what} is a syntax error whose message does not show the value`, () => {
      assert.throws(
        () => parseJaasConfig(text),
        (error: unknown) => error instanceof JaasSyntaxError && !error.message.includes(secret),
      );
    });
});
