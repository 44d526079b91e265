import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { API_RULES, ruleFor } from "../../server/http/access-rules";

const API_DIR = path.resolve(import.meta.dirname, "../../app/api");

/** Every route file under app/api with the methods it exports and a path that its pattern matches. */
function routes(): { method: string; pathname: string; file: string }[] {
  const found: { method: string; pathname: string; file: string }[] = [];
  for (const entry of readdirSync(API_DIR, { recursive: true, encoding: "utf8" })) {
    if (path.basename(entry) !== "route.ts" || entry.startsWith("[...path]")) continue;
    const source = readFileSync(path.join(API_DIR, entry), "utf8");
    const segments = path.dirname(entry).split(path.sep).map((segment) => (segment.startsWith("[") ? "some-name" : segment));
    for (const [, method] of source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g))
      found.push({ method, pathname: `/api/${segments.join("/")}`, file: entry });
  }
  return found;
}

describe("access rules", () => {
  it("cover every API route and method with a rule of its own", () => {
    const all = routes();
    assert.ok(all.length >= 30, `found ${all.length} route methods`);
    for (const { method, pathname, file } of all) {
      const found = ruleFor(API_RULES, method, pathname);
      assert.ok(found, `no access rule for ${method} ${pathname} (app/api/${file})`);
      assert.ok(found.rule.method === method, `${method} ${pathname} is covered only by a rule for any method`);
      // A change needs a permission, except logging in and out.
      if (method !== "GET" && !found.rule.public) assert.notEqual(found.rule.action, null, `${method} ${pathname} changes something and needs only a login`);
    }
  });

  it("refuse a path no rule names", () => {
    assert.equal(ruleFor(API_RULES, "POST", "/api/topics/x/something-new"), null);
    assert.equal(ruleFor(API_RULES, "GET", "/api/not-a-route"), null);
  });
});
