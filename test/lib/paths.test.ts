import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pageParam, paths } from "@/lib/paths";

describe("pageParam", () => {
  it("undoes exactly the one encoding Next.js gives a page's segment, whatever the id holds", () => {
    for (const id of ["my group", "a:b", "ü-group", "a%b", "a%41", "a/b", 'q"uote', "?x=1#y", "plain-id_1.2"]) {
      // Next.js passes a page encodeURIComponent of the decoded path segment; paths.group encodes the same way.
      assert.equal(pageParam(encodeURIComponent(id)), id);
      assert.equal(pageParam(paths.group(id).slice("/groups/".length)), id);
    }
  });

  it("keeps a segment that is not valid percent-encoding as written", () => {
    assert.equal(pageParam("100%"), "100%");
  });
});
