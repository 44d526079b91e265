import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageEmitter, cond } from "../../codegen/emit";
import { buildModel, camelCase, kebabCase, parseSpecText, parseVersions } from "../../codegen/spec";

describe("the code generator's spec model", () => {
  it("parses spec JSON with // comment lines", () => {
    const spec = parseSpecText('// licence\n{\n  // note\n  "name": "X", "type": "data", "validVersions": "0", "flexibleVersions": "none", "fields": []\n}');
    assert.equal(spec.name, "X");
  });

  it("reads version ranges: single, open-ended, closed and none", () => {
    assert.deepEqual(parseVersions("3", 5), [3]);
    assert.deepEqual(parseVersions("3+", 5), [3, 4, 5]);
    assert.deepEqual(parseVersions("1-2", 5), [1, 2]);
    assert.deepEqual(parseVersions("none", 5), []);
    assert.deepEqual(parseVersions(undefined, 5), []);
  });

  it("names files in kebab case and properties in camel case", () => {
    assert.equal(kebabCase("ProduceRequest"), "produce-request");
    assert.equal(kebabCase("KRaftVersionRecord"), "k-raft-version-record");
    assert.equal(camelCase("ThrottleTimeMs"), "throttleTimeMs");
    assert.equal(camelCase("timeoutMs"), "timeoutMs");
  });

  it("simplifies version conditions against the versions the code can run in", () => {
    const all = [0, 1, 2, 3, 4, 5];
    assert.equal(cond([3, 4, 5], all), "version >= 3");
    assert.equal(cond([0, 1], all), "version <= 1");
    assert.equal(cond([2, 3], all), "version >= 2 && version <= 3");
    assert.equal(cond([2], all), "version === 2");
    assert.equal(cond([0, 5], all), "version === 0 || version === 5");
    assert.equal(cond(all, all), "true");
    assert.equal(cond([], all), "false");
    assert.equal(cond([3, 4, 5], [3, 4, 5]), "true");
  });

  it("gives a struct name defined twice with different fields a distinct, numbered interface name", () => {
    const spec = parseSpecText(
      JSON.stringify({
        name: "ThingRequest",
        type: "request",
        apiKey: 1000,
        validVersions: "0-1",
        flexibleVersions: "1+",
        fields: [
          { name: "A", type: "[]Item", versions: "0+", fields: [{ name: "X", type: "int32", versions: "0+" }] },
          { name: "B", type: "[]Item", versions: "0+", fields: [{ name: "Y", type: "string", versions: "0+" }] },
          { name: "C", type: "[]Item", versions: "1+", fields: [{ name: "X", type: "int32", versions: "0+" }] },
        ],
      }),
    );
    const model = buildModel(spec);
    assert.deepEqual(
      model.structs.map((s) => s.tsName),
      ["ThingRequestItem", "ThingRequestItem2"],
    );
    const code = new MessageEmitter(model).emit();
    assert.match(code, /a: ThingRequestItem\[\];/);
    assert.match(code, /b: ThingRequestItem2\[\];/);
    assert.match(code, /c: ThingRequestItem\[\];/);
  });
});
