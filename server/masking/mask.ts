import type { Message, Payload } from "@/lib/contracts";
import { matchesPattern } from "@/lib/permissions";
import type { ConsoleConfig, MaskRule } from "../config/schema";

/**
 * Data masking: the rules of the configuration (per cluster and topic
 * pattern) that hide JSON fields by path and text matching a pattern, applied
 * to each record on the server before it is sent, so the masked bytes never
 * reach the browser. A role listed in a rule's exemptRoles sees the record as
 * it is.
 */
export interface Masker {
  message(message: Message): Message;
}

interface CompiledRule {
  paths: string[][];
  patterns: RegExp[];
  replacement: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeText(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Replaces the value at each path ("a.b", "items.*.card": "*" any key or index) with the replacement; true when something was replaced. */
function maskPath(node: unknown, path: string[], replacement: string): boolean {
  if (path.length === 0 || node === null || typeof node !== "object") return false;
  const [head, ...rest] = path;
  const keys = head === "*" ? Object.keys(node) : Object.prototype.hasOwnProperty.call(node, head) ? [head] : [];
  let changed = false;
  for (const key of keys) {
    const container = node as Record<string, unknown>;
    if (rest.length === 0) {
      container[key] = replacement;
      changed = true;
    } else changed = maskPath(container[key], rest, replacement) || changed;
  }
  return changed;
}

/** The JSON value of `text`, or undefined when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The text masked by every rule; `truncated`: a preview cut short, whose JSON cannot be parsed to find the paths. */
function maskText(text: string, rules: readonly CompiledRule[], truncated: boolean): string {
  let out = text;
  for (const rule of rules) {
    if (rule.paths.length) {
      const json = parseJson(out);
      if (json !== undefined) {
        if (rule.paths.map((p) => maskPath(json, p, rule.replacement)).some(Boolean)) out = JSON.stringify(json);
      } else if (truncated && /^\s*[[{]/.test(out)) {
        // Part of a JSON document: the fields cannot be found, so none of it is shown.
        out = rule.replacement;
      }
    }
    for (const pattern of rule.patterns) out = out.replace(pattern, rule.replacement);
  }
  return out;
}

function maskPayload(payload: Payload | null, rules: readonly CompiledRule[]): Payload | null {
  if (payload === null) return null;
  const bytes = Buffer.from(payload.base64, "base64");
  const text = decodeText(bytes);
  // Bytes that are not UTF-8 text hold no JSON fields or text to match.
  if (text === null) return payload;
  const masked = maskText(text, rules, payload.truncated);
  if (masked === text) return payload;
  const out = Buffer.from(masked, "utf8");
  return { base64: out.toString("base64"), sizeBytes: payload.truncated ? payload.sizeBytes : out.length, truncated: payload.truncated };
}

function compile(rule: MaskRule): CompiledRule {
  return { paths: rule.jsonPaths.map((p) => p.split(".")), patterns: rule.patterns.map((p) => new RegExp(p, "g")), replacement: rule.replacement };
}

/** The masker for records of `topic` on `clusterId` shown to a user with `roles`; null when no rule applies. */
export function maskerFor(config: ConsoleConfig, clusterId: string, topic: string, roles: readonly string[]): Masker | null {
  const rules = config.masking
    .filter((r) => r.clusters.some((p) => matchesPattern(p, clusterId)) && r.topics.some((p) => matchesPattern(p, topic)))
    .filter((r) => !r.exemptRoles.some((role) => roles.includes(role)))
    .map(compile);
  if (rules.length === 0) return null;
  return {
    message: (m) => ({
      ...m,
      key: maskPayload(m.key, rules),
      value: maskPayload(m.value, rules),
      headers: m.headers.map((h) => ({ key: h.key, value: maskPayload(h.value, rules) })),
    }),
  };
}
