import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseProperties, parsePropertiesEntries, PropertiesSyntaxError } from "../../src/config/properties-file";

describe("Java .properties parsing", () => {
  it("accepts =, : and white space as the separator, with blanks around it", () => {
    assert.deepEqual(parseProperties("a=1\nb: 2\nc 3\nd   =   4\ne\t:\t5\nf = = 6"), {
      a: "1",
      b: "2",
      c: "3",
      d: "4",
      e: "5",
      f: "= 6",
    });
  });

  it("skips comments (# and !) and blank lines, even when indented", () => {
    assert.deepEqual(parseProperties("# comment\n  ! also a comment\n\n   \t\nkey=value\n  #x=y"), { key: "value" });
  });

  it("drops leading white space but keeps trailing white space in values, as Java does", () => {
    assert.deepEqual(parseProperties("   key=  value  "), { key: "value  " });
  });

  it("gives an empty value to a key alone on its line, or followed by a separator only", () => {
    assert.deepEqual(parseProperties("alone\nwith.eq=\nwith.colon:   "), { alone: "", "with.eq": "", "with.colon": "" });
  });

  it("joins lines ending in an odd number of backslashes, dropping the next line's indentation", () => {
    assert.deepEqual(parseProperties("list=a,\\\n    b,\\\n\tc\nnext=1"), { list: "a,b,c", next: "1" });
  });

  it("does not continue a line ending in an even number of backslashes", () => {
    assert.deepEqual(parseProperties("path=C:\\\\\nnext=1"), { path: "C:\\", next: "1" });
  });

  it("ends a continued entry at an empty line, and continues onto lines that look like comments", () => {
    assert.deepEqual(parseProperties("a=x\\\n\nb=y\\\n#not a comment"), { a: "x", b: "y#not a comment" });
  });

  it("does not continue a comment line that ends in a backslash", () => {
    assert.deepEqual(parseProperties("# comment \\\nkey=value"), { key: "value" });
  });

  it("drops a final backslash at the end of the input", () => {
    assert.deepEqual(parseProperties("key=value\\"), { key: "value" });
  });

  it("decodes \\t \\n \\r \\f and \\uXXXX escapes, and any other escaped character as itself", () => {
    assert.deepEqual(parseProperties("k=a\\tb\\nc\\rd\\fe\\u0041\\u00e9\\q\\\\"), { k: "a\tb\nc\rd\fe" + "A\u00e9q\\" });
  });

  it("lets escaped separators and spaces be part of the key", () => {
    assert.deepEqual(parseProperties("a\\=b\\:c\\ d = value"), { "a=b:c d": "value" });
  });

  it("accepts \\r\\n and \\r line endings", () => {
    assert.deepEqual(parseProperties("a=1\r\nb=2\rc=3\r\n"), { a: "1", b: "2", c: "3" });
  });

  it("lets a later duplicate key win", () => {
    assert.deepEqual(parseProperties("a=1\na=2"), { a: "2" });
  });

  it("numbers entries by the line they start on", () => {
    const entries = parsePropertiesEntries("# header\n\nfirst=1\nsecond=a,\\\n  b\nthird=3");
    assert.deepEqual(
      entries.map((entry) => [entry.key, entry.line]),
      [
        ["first", 3],
        ["second", 4],
        ["third", 6],
      ],
    );
  });

  it("reports a malformed \\u escape with its line number and source", () => {
    assert.throws(
      () => parseProperties("ok=1\nbad=\\u12G4", "server.properties"),
      (error: unknown) =>
        error instanceof PropertiesSyntaxError && error.line === 2 && /server\.properties:2: Malformed \\uxxxx encoding/.test(error.message),
    );
    assert.throws(() => parseProperties("bad=\\u12"), /line 1: Malformed/);
  });
});
