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
