import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import SwaggerParser from "@apidevtools/swagger-parser";
import type { OpenAPI, OpenAPIV3 } from "openapi-types";
import { GET } from "@/app/api/openapi.json/route";

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../app/api");

/** Every route file under app/api as "METHOD /api/path/{param}", from its folders and its exported handlers. */
function routesOnDisk(): string[] {
  const routes: string[] = [];
  for (const entry of readdirSync(apiDir, { recursive: true, withFileTypes: true })) {
    if (entry.name !== "route.ts") continue;
    const folders = path.relative(apiDir, entry.parentPath).split(path.sep).filter(Boolean);
    if (folders.some((f) => f.startsWith("[..."))) continue; // the catch-all: every path no route serves
    const template = ["/api", ...folders.map((f) => f.replace(/^\[(.+)\]$/, "{$1}"))].join("/");
    const source = readFileSync(path.join(entry.parentPath, entry.name), "utf8");
    for (const [, method] of source.matchAll(/^export const (GET|POST|PUT|PATCH|DELETE)\b/gm)) routes.push(`${method} ${template}`);
  }
  return routes.sort();
}

describe("the OpenAPI document (/api/openapi.json)", () => {
  it("is served as a valid OpenAPI 3 document, generated from the contracts", async () => {
    const response = await GET(new Request("http://console.test/api/openapi.json"), undefined);
    assert.equal(response.status, 200);
    const document = (await response.json()) as OpenAPIV3.Document;
    assert.match(document.openapi, /^3\.0\.\d+$/);
    // validate() dereferences in place: hand it a copy.
    await SwaggerParser.validate(structuredClone(document) as OpenAPI.Document);

    // Spot checks that the contracts came through: the reset's flag, a group's id as a path parameter, the error body.
    const reset = document.paths["/api/groups/{group}/offsets/preview"]!.post!;
    const schema = (reset.requestBody as OpenAPIV3.RequestBodyObject).content["application/json"].schema as OpenAPIV3.SchemaObject;
    assert.equal((schema.properties!.createIfMissing as OpenAPIV3.SchemaObject).type, "boolean");
    assert.deepEqual(schema.properties!.strategy, { type: "string", enum: ["earliest", "latest", "timestamp", "offset", "shift"] });
    assert.deepEqual((reset.parameters as OpenAPIV3.ParameterObject[]).map((p) => [p.in, p.name, p.required]), [["path", "group", true]]);
    assert.deepEqual(Object.keys(reset.responses).sort(), ["200", "400", "401", "403", "404", "409", "500", "503"]);
    assert.ok(document.components!.schemas!.ApiError, "the error body is one named schema");
  });

  it("lists every route under app/api with its methods, and none that does not exist", async () => {
    const document = (await (await GET(new Request("http://console.test/api/openapi.json"), undefined)).json()) as OpenAPIV3.Document;
    const documented = Object.entries(document.paths)
      .flatMap(([template, item]) => Object.keys(item!).filter((k) => ["get", "post", "put", "patch", "delete"].includes(k)).map((m) => `${m.toUpperCase()} ${template}`))
      .sort();
    const onDisk = routesOnDisk();
    assert.ok(onDisk.length >= 19, `found the route files (${onDisk.length})`);
    assert.deepEqual(documented, onDisk);
  });
});
