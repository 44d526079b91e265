import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Message, Payload } from "@/lib/contracts";
import { parseConsoleConfig } from "@/server/config/load";
import { maskerFor } from "@/server/masking/mask";

const config = parseConsoleConfig(
  JSON.stringify({
    masking: [
      { clusters: ["prod"], topics: ["pii.*"], jsonPaths: ["user.email", "cards.*.number"], patterns: ["\\d{3}-\\d{2}-\\d{4}"], replacement: "#", exemptRoles: ["auditor"] },
    ],
    roles: [{ name: "auditor", grants: [{ actions: ["messages:view"] }] }],
  }),
  "mask.json",
);
const payload = (bytes: Buffer, truncated = false): Payload => ({ base64: bytes.toString("base64"), sizeBytes: bytes.length + (truncated ? 100 : 0), truncated });
const message = (value: Buffer, truncated = false): Message => ({ partition: 0, offset: 0, timestamp: 0, key: null, value: payload(value, truncated), headers: [] });
const text = (m: Message) => Buffer.from(m.value!.base64, "base64").toString("utf8");

describe("masking rules", () => {
  const masker = maskerFor(config, "prod", "pii.users", [])!;

  it("replaces the values at JSON paths (with * over keys and indexes) and every match of a pattern, leaving the rest", () => {
    const value = { user: { email: "a@b.c", name: "A" }, cards: [{ number: "1" }, { number: "2", kind: "visa" }], note: "ssn 123-45-6789 ok" };
    assert.deepEqual(JSON.parse(text(masker.message(message(Buffer.from(JSON.stringify(value)))))), {
      user: { email: "#", name: "A" },
      cards: [{ number: "#" }, { number: "#", kind: "visa" }],
      note: "ssn # ok",
    });
  });

  it("a JSON preview cut short is hidden whole (its paths cannot be found); plain text previews are still pattern-masked", () => {
    const cut = masker.message(message(Buffer.from('{"user":{"email":"a@b.c","na'), true));
    assert.equal(text(cut), "#");
    assert.equal(cut.value!.truncated, true);
    assert.equal(text(masker.message(message(Buffer.from("id 123-45-6789 and more"), true))), "id # and more");
  });

  it("bytes that are not UTF-8 are left as they are; null values stay null", () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x31]);
    assert.equal(masker.message(message(binary)).value!.base64, binary.toString("base64"));
    assert.equal(masker.message({ ...message(binary), value: null }).value, null);
  });

  it("applies only on matching clusters and topics, and not to an exempt role", () => {
    assert.equal(maskerFor(config, "dev", "pii.users", []), null);
    assert.equal(maskerFor(config, "prod", "orders", []), null);
    assert.equal(maskerFor(config, "prod", "pii.users", ["auditor"]), null);
  });
});
