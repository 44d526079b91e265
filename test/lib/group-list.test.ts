import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { groupListQuerySchema, selectGroups, type GroupRow } from "@/lib/group-list";
import { PAGE_SIZE } from "@/lib/paginate";

const row = (i: number, extra: Partial<GroupRow> = {}): GroupRow => ({
  groupId: `g-${String(i).padStart(5, "0")}`,
  state: i % 2 ? "Stable" : "Empty",
  protocolType: "consumer",
  topics: [`topic-${i % 3}`],
  partitions: 1,
  lag: i,
  timeLagMs: i * 1000,
  timeLagEstimated: true,
  status: i % 10 === 0 ? "STOPPED" : i % 7 === 0 ? "WARNING" : "OK",
  statusReason: null,
  ...extra,
});
const covered = { supported: true, source: "samples" as const, sampledAtMs: 1, total: 10_000 };
const select = (all: GroupRow[], query: Record<string, unknown>) => selectGroups(all, groupListQuerySchema.parse(query), covered);

describe("the groups list over every group (server-side page, sort, filter)", () => {
  const all = Array.from({ length: 10_000 }, (_, i) => row(i));

  it("one page of 100 out of 10,000, with totals over all of them", () => {
    const page = select(all, {});
    assert.equal(page.groups.length, PAGE_SIZE);
    assert.equal(page.covered, 10_000);
    assert.equal(page.pages, 100);
    assert.equal(page.coveredLag, (9_999 * 10_000) / 2);
    assert.equal(page.withLag, 10_000);
  });

  it("sorts by lag, time lag, status and id over all groups, ties by id", () => {
    assert.equal(select(all, { sort: "lag", dir: "desc" }).groups[0].groupId, "g-09999");
    assert.equal(select(all, { sort: "timeLag", dir: "asc" }).groups[0].groupId, "g-00000");
    const byStatus = select(all, { sort: "status", dir: "desc" }).groups;
    assert.ok(byStatus.every((g) => g.status === "STOPPED"), "the worst first");
    assert.equal(byStatus[0].groupId, "g-00000");
    assert.equal(select(all, { sort: "id", dir: "desc", page: 100 }).groups.at(-1)!.groupId, "g-00000");
  });

  it("filters by status and by name (id or topic), and the matching totals say so", () => {
    const stopped = select(all, { status: "STOPPED" });
    assert.equal(stopped.matching, 1_000);
    assert.equal(stopped.statusCounts.STOPPED, 1_000);
    assert.ok(stopped.groups.every((g) => g.status === "STOPPED"));
    const named = select(all, { q: "G-0999" });
    assert.equal(named.matching, 10);
    assert.equal(named.matchingLag, [...Array(10).keys()].reduce((s, k) => s + 9990 + k, 0));
    assert.equal(select(all, { q: "topic-1" }).matching, 3_333);
    assert.equal(select(all, { state: "Empty", status: "WARNING" }).groups.every((g) => g.state === "Empty" && g.status === "WARNING"), true);
  });

  it("groups without lag or status sort last ascending-first", () => {
    const page = select([row(1, { lag: null, status: null }), row(2)], { sort: "lag", dir: "asc" });
    assert.deepEqual(page.groups.map((g) => g.groupId), ["g-00001", "g-00002"]);
    assert.equal(page.withLag, 1);
  });
});
