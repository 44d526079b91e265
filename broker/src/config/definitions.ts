/*
 * What a config definition is: Kafka's value types, update modes and
 * validators, and how a value's text is parsed, checked and written back in
 * canonical form. Broker properties (broker-properties.ts) and topic configs
 * (topic-config.ts) are both defined with these.
 *
 * Numbers: INT, SHORT and DOUBLE values are JS numbers. LONG values are
 * validated exactly (as 64-bit integers) and their canonical strings keep
 * every digit, so DescribeConfigs reports Long.MAX_VALUE as
 * 9223372036854775807; the typed fields of BrokerConfig are JS numbers, with
 * anything beyond ±Number.MAX_SAFE_INTEGER clamped to it (2^53-1 ms is
 * 285 000 years, so it still means "never").
 */

export type ConfigType = "BOOLEAN" | "STRING" | "INT" | "SHORT" | "LONG" | "DOUBLE" | "LIST" | "CLASS" | "PASSWORD";
/** Kafka's update modes: read-only needs a restart; the others can change through AlterConfigs. */
export type UpdateMode = "read-only" | "per-broker" | "cluster-wide";
/** Where a broker property's value came from (DescribeConfigs source names). */
export type BrokerConfigSource = "DYNAMIC_BROKER_CONFIG" | "STATIC_BROKER_CONFIG" | "DEFAULT_CONFIG";

export class ConfigError extends Error {
  constructor(
    message: string,
    /** The property at fault, when there is one. */
    readonly property?: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

// ---------------------------------------------------------------------------
// Values and validators

export const LONG_MAX = "9223372036854775807";
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const SHORT_RANGE = [-(2n ** 15n), 2n ** 15n - 1n] as const;

export type ParsedValue = number | bigint | boolean | string | string[];

/** Returns a reason (Kafka's wording) when the parsed value is not acceptable. */
export type Validator = (value: ParsedValue) => string | null;

export const atLeast =
  (min: number): Validator =>
  (value) =>
    (value as number | bigint) < min ? `Value must be at least ${min}` : null;

export const between =
  (min: number, max: number): Validator =>
  (value) =>
    (value as number) < min ? `Value must be at least ${min}` : (value as number) > max ? `Value must be no more than ${max}` : null;

export const oneOf =
  (...allowed: string[]): Validator =>
  (value) =>
    allowed.includes(value as string) ? null : `String must be one of: ${allowed.join(", ")}`;

export const listOf =
  (...allowed: string[]): Validator =>
  (value) => {
    const bad = (value as string[]).find((item) => !allowed.includes(item));
    return bad === undefined ? null : `String must be one of: ${allowed.join(", ")} (got ${bad})`;
  };


export type Parsed = { ok: true; value: ParsedValue; text: string } | { ok: false; reason: string };

/**
 * Parses the string form of a value of `type` as Kafka's ConfigDef does
 * (trimmed; lists split on commas) and gives its canonical text, the string
 * DescribeConfigs reports (ConfigDef.convertToString).
 */
export function parseTyped(type: ConfigType, raw: string): Parsed {
  const trimmed = raw.trim();
  const integer = (range: readonly [bigint, bigint]) => {
    if (!/^[+-]?\d+$/.test(trimmed)) return null;
    const n = BigInt(trimmed);
    return n < range[0] || n > range[1] ? null : n;
  };
  switch (type) {
    case "INT":
    case "SHORT": {
      const n = integer(type === "INT" ? INT_RANGE : SHORT_RANGE);
      return n === null ? { ok: false, reason: `Not a number of type ${type}` } : { ok: true, value: Number(n), text: n.toString() };
    }
    case "LONG": {
      const n = integer(LONG_RANGE);
      return n === null ? { ok: false, reason: "Not a number of type LONG" } : { ok: true, value: n, text: n.toString() };
    }
    case "DOUBLE": {
      if (!/^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?|NaN|Infinity)$/.test(trimmed))
        return { ok: false, reason: "Not a number of type DOUBLE" };
      const value = Number(trimmed.replace(/[dDfF]$/, ""));
      return { ok: true, value, text: javaDoubleText(value) };
    }
    case "BOOLEAN": {
      const lower = trimmed.toLowerCase();
      if (lower !== "true" && lower !== "false") return { ok: false, reason: "Expected value to be either true or false" };
      return { ok: true, value: lower === "true", text: lower };
    }
    case "LIST": {
      const items = trimmed === "" ? [] : trimmed.split(/\s*,\s*/);
      return { ok: true, value: items, text: items.join(",") };
    }
    default:
      return { ok: true, value: trimmed, text: trimmed };
  }
}

/** A double as Java's Double.toString writes it (1.0E7, 1.7976931348623157E308), the text Kafka describes. */
function javaDoubleText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(value) ? value.toFixed(1) : String(value);
  const [mantissa, exponent] = value.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A LONG (or any integer) as a JS number, clamped to the safe range. */
export function toSafeNumber(value: bigint | number): number {
  if (typeof value === "number") return value;
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(value > max ? max : value < -max ? -max : value);
}

/** Parses and validates; the error message is Kafka's `Invalid value X for configuration Y: reason`. */
export function checkValue(
  name: string,
  type: ConfigType,
  raw: string,
  validator?: Validator,
): { ok: true; value: ParsedValue; text: string } | { ok: false; message: string } {
  const parsed = parseTyped(type, raw);
  const reason = parsed.ok ? (validator?.(parsed.value) ?? null) : parsed.reason;
  if (parsed.ok && reason === null) return parsed;
  return { ok: false, message: `Invalid value ${type === "PASSWORD" ? "[hidden]" : raw} for configuration ${name}: ${reason}` };
}


/** A comma-separated list as Kafka splits one: trimmed, no entries when empty. */
export const splitList = (text: string) => (text.trim() === "" ? [] : text.trim().split(/\s*,\s*/));

/** Properties given in one place (the file and overrides, or AlterConfigs), each parsed and validated. */
export type Layer = Map<string, { value: ParsedValue; text: string }>;

export interface BrokerConfigDef {
  name: string;
  type: ConfigType;
  /** Kafka's default as a string; null when the property has none. */
  default: string | null;
  mode: UpdateMode;
  /** One line; DescribeConfigs sends documentation: null. */
  doc: string;
  validator?: Validator;
  /** The topic config this property supplies the default for (its synonym). */
  topicConfig?: string;
  /** The topic config's validator when it differs from this property's (retention.ms takes -1 at least; log.retention.ms anything). */
  topicValidator?: Validator;
  /** A Kafka property this broker accepts and describes but does not act on (kafka-config-names.ts). */
  unused?: true;
}

/** The parsed default of a defined property (null when it has none). */
export function defaultOf(def: BrokerConfigDef): { value: ParsedValue; text: string } | null {
  if (def.default === null) return null;
  const parsed = parseTyped(def.type, def.default);
  if (!parsed.ok) throw new Error(`bad default for ${def.name}: ${def.default}`);
  return parsed;
}

/** A broker property's resolved value, as DescribeConfigs reports it. */
export interface ResolvedValue {
  /** Canonical string form (lists joined by ","); null when unset without a default, or sensitive. */
  value: string | null;
  source: BrokerConfigSource;
  isSensitive: boolean;
  readOnly: boolean;
}
