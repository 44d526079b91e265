import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FAILURES_MAX, LoginRateLimit, USER_FAILURES_MAX, WINDOW_MS } from "../../server/auth/rate-limit";

describe("login rate limit", () => {
  it("refuses an address after its failures for one user, until the oldest leaves the window", () => {
    const limit = new LoginRateLimit();
    for (let i = 0; i < FAILURES_MAX; i++) {
      assert.equal(limit.retryAfterSeconds("10.0.0.1", "ada", i * 1000), 0);
      limit.fail("10.0.0.1", "ada", i * 1000);
    }
    assert.equal(limit.retryAfterSeconds("10.0.0.1", "ada", FAILURES_MAX * 1000), (WINDOW_MS - FAILURES_MAX * 1000) / 1000);
    assert.equal(limit.retryAfterSeconds("10.0.0.2", "ada", FAILURES_MAX * 1000), 0, "another address may still try");
    assert.equal(limit.retryAfterSeconds("10.0.0.1", "bob", FAILURES_MAX * 1000), 0, "and another user from the same address");
    assert.equal(limit.retryAfterSeconds("10.0.0.1", "ada", WINDOW_MS + 1), 0, "once the first failure is out of the window");
  });

  it("caps guesses at one user however the claimed address changes", () => {
    const limit = new LoginRateLimit();
    for (let i = 0; i < USER_FAILURES_MAX; i++) {
      const address = `10.1.${i}.1`; // a client that sends a new x-forwarded-for each time
      assert.equal(limit.retryAfterSeconds(address, "ada", i), 0, `attempt ${i + 1}`);
      limit.fail(address, "ada", i);
    }
    assert.ok(limit.retryAfterSeconds("10.9.9.9", "ada", USER_FAILURES_MAX) > 0, "a fresh address is refused for this user");
    assert.equal(limit.retryAfterSeconds("10.9.9.9", "bob", USER_FAILURES_MAX), 0, "other users are not");
  });

  it("a success clears that address's failures", () => {
    const limit = new LoginRateLimit();
    for (let i = 0; i < FAILURES_MAX - 1; i++) limit.fail("10.0.0.1", "ada", i);
    limit.succeed("10.0.0.1", "ada");
    limit.fail("10.0.0.1", "ada", 10);
    assert.equal(limit.retryAfterSeconds("10.0.0.1", "ada", 11), 0);
  });
});
