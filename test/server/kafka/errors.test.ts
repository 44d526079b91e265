import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceError, toServiceError } from "@/server/kafka/errors";

describe("toServiceError", () => {
  it("a broker that is not connected, or refuses or times out the connection, is UNAVAILABLE (503), not a bug", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    for (const error of [new Error("Broker not connected"), refused, Object.assign(new Error("Connection timeout"), { name: "KafkaJSConnectionError" })]) {
      const mapped = toServiceError(error);
      assert.ok(mapped instanceof ServiceError, error.message);
      assert.equal(mapped.kind, "UNAVAILABLE", error.message);
    }
  });

  it("anything else unknown is rethrown as it is (a bug, answered 500)", () => {
    const bug = new TypeError("x is undefined");
    assert.equal(toServiceError(bug), bug);
  });
});
