/** How a key or value is shown. Detection picks one; the user can switch. */
export type PayloadFormat = "json" | "text" | "hex" | "base64";
export const PAYLOAD_FORMATS: PayloadFormat[] = ["json", "text", "hex", "base64"];

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const decoder = () => new TextDecoder("utf-8", { fatal: true });

/** The bytes as UTF-8 text, or null when they are not valid UTF-8 or hold control characters other than whitespace. */
export function asText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = decoder().decode(bytes);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? null : text;
}

export function asJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false };
  }
}

export function detectFormat(bytes: Uint8Array): PayloadFormat {
  const text = asText(bytes);
  if (text === null) return "hex";
  const first = text.trimStart()[0];
  if ((first === "{" || first === "[") && asJson(text).ok) return "json";
  return "text";
}

export function toHex(bytes: Uint8Array, bytesMax = 64 * 1024): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, bytesMax);
  for (let at = 0; at < n; at += 16) {
    const row = Array.from(bytes.subarray(at, Math.min(at + 16, n)));
    const hex = row.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${at.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join("\n");
}

/** A one-line preview of a payload for tables. */
export function previewText(base64: string, charsMax = 160): string {
  const bytes = base64ToBytes(base64);
  const text = asText(bytes);
  const shown = text === null ? toHex(bytes.subarray(0, 32)).replace(/^\S+\s+/, "").split("  ")[0] : text.replace(/\s+/g, " ");
  return shown.length > charsMax ? `${shown.slice(0, charsMax)}…` : shown;
}

// ---------------------------------------------------------------- what a user types, as the bytes to send

/** How a typed key, value or header value becomes bytes: UTF-8 text, JSON (checked, sent as typed) or base64 for binary. */
export type InputFormat = "text" | "json" | "base64";
export const INPUT_FORMATS: InputFormat[] = ["text", "json", "base64"];

/** Strict standard base64 (RFC 4648 §4): whitespace between groups is allowed, as `base64` wraps its lines; anything else is refused. */
export function decodeBase64(text: string): Uint8Array | null {
  const compact = text.replace(/[ \t\r\n]/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  const bytes = base64ToBytes(compact);
  // atob ignores bits past the last byte; a text that does not round-trip names other bytes than it decodes to.
  return bytesToBase64(bytes) === compact ? bytes : null;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/**
 * Why a typed text cannot be sent in `format`, as words that follow "the
 * value", or null when it can be. UTF-8 has
 * no form for a lone UTF-16 surrogate, so text holding one is refused rather
 * than sent as U+FFFD.
 */
export function inputProblem(text: string, format: InputFormat): string | null {
  if (format === "base64") return decodeBase64(text) === null ? "is not valid base64 (A-Z, a-z, 0-9, + and /, padded with = to a multiple of 4)" : null;
  const lone = /\p{Cs}/u.exec(text);
  if (lone) {
    const unit = lone[0].charCodeAt(0).toString(16).toUpperCase();
    return `is refused: character ${lone.index + 1} is a lone surrogate (U+${unit}), which has no UTF-8 encoding; fix the text or give the bytes as base64`;
  }
  if (format === "json") {
    try {
      JSON.parse(text);
    } catch (error) {
      return `is not valid JSON: ${(error as Error).message}`;
    }
  }
  return null;
}

/** The bytes a typed text stands for; call inputProblem first. JSON is sent as typed, not re-serialized. */
export function inputBytes(text: string, format: InputFormat): Uint8Array {
  if (format === "base64") {
    const bytes = decodeBase64(text);
    if (bytes === null) throw new Error("not valid base64");
    return bytes;
  }
  return new TextEncoder().encode(text);
}
