/**
 * A reader for Java `.properties` text with the semantics of
 * `java.util.Properties.load`:
 *
 * - natural lines end at `\n`, `\r` or `\r\n`; a line ending in an odd number
 *   of backslashes continues on the next one, whose leading white space is
 *   dropped; a comment line (first non-blank character `#` or `!`) never continues;
 * - leading white space (space, tab, form feed) is skipped, blank lines are ignored;
 * - the key ends at the first unescaped `=`, `:` or white space; white space
 *   around the separator is skipped, and the value keeps its trailing white space;
 * - escapes `\t \n \r \f \uXXXX` are decoded; any other escaped character stands for itself.
 *
 * A later entry for the same key replaces an earlier one, as in Java.
 */

export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based number of the natural line where the entry starts. */
  line: number;
}

export class PropertiesSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly source?: string,
  ) {
    super(`${source ?? "line"}${source ? ":" : " "}${line}: ${message}`);
    this.name = "PropertiesSyntaxError";
  }
}

const isBlank = (c: string) => c === " " || c === "\t" || c === "\f";

function skipBlanks(text: string): string {
  let i = 0;
  while (i < text.length && isBlank(text[i])) i++;
  return text.slice(i);
}

function endsWithOddBackslashes(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === "\\"; i--) count++;
  return count % 2 === 1;
}

const ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function unescape(text: string, line: number, source?: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === undefined) break; // a lone trailing backslash (only at end of input) is dropped
    if (next === "u") {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new PropertiesSyntaxError("Malformed \\uxxxx encoding.", line, source);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += ESCAPES[next] ?? next;
  }
  return out;
}

/** Splits a logical line (continuations joined, escapes not yet decoded) into key and value. */
function splitEntry(logical: string): [rawKey: string, rawValue: string] {
  let keyEnd = 0;
  let valueStart = logical.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < logical.length; keyEnd++) {
    const c = logical[keyEnd];
    if (!escaped && (c === "=" || c === ":")) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && isBlank(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === "\\" ? !escaped : false;
  }
  for (; valueStart < logical.length; valueStart++) {
    const c = logical[valueStart];
    if (isBlank(c)) continue;
    if (!hasSeparator && (c === "=" || c === ":")) hasSeparator = true;
    else break;
  }
  return [logical.slice(0, keyEnd), logical.slice(valueStart)];
}

/** Every entry in file order, with its line number (duplicates included). */
export function parsePropertiesEntries(text: string, source?: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    let natural = skipBlanks(lines[i]);
    if (natural === "" || natural[0] === "#" || natural[0] === "!") continue;
    const line = i + 1;
    let logical = "";
    while (endsWithOddBackslashes(natural)) {
      logical += natural.slice(0, -1);
      if (++i >= lines.length) {
        natural = "";
        break;
      }
      natural = skipBlanks(lines[i]);
    }
    logical += natural;
    const [rawKey, rawValue] = splitEntry(logical);
    entries.push({ key: unescape(rawKey, line, source), value: unescape(rawValue, line, source), line });
  }
  return entries;
}

/** The properties as a plain record; a later duplicate key wins. */
export function parseProperties(text: string, source?: string): Record<string, string> {
  return Object.fromEntries(parsePropertiesEntries(text, source).map((entry) => [entry.key, entry.value]));
}
