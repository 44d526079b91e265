import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiKey } from "../../src/protocol/generated";

const GOLDEN = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/golden");

export interface GoldenFrame {
  source: string;
  file: string;
  api: keyof typeof ApiKey;
  version: number;
  /** The request without its int32 size prefix: header then body. */
  frame: Buffer;
}

/**
 * Loads `<dir>/<ApiName>-v<N>.hex` and `<dir>/<ApiName>-v<N>-<label>-request.hex`:
 * hex digits (whitespace ignored) after optional `#` comment lines, with or
 * without the int32 size prefix of the frame.
 */
export function loadGoldenFrames(source: string): GoldenFrame[] {
  const dir = join(GOLDEN, source);
  if (!existsSync(dir)) return [];
  const frames: GoldenFrame[] = [];
  for (const file of readdirSync(dir).sort()) {
    // <ApiName>-v<N>[-<label>...].hex; labels (such as "-gzip-request") only tell captures apart.
    const match = /^([A-Za-z]+)-v(\d+)((?:-[a-z0-9]+)*)\.hex$/.exec(file);
    if (!match) continue;
    const api = match[1] as keyof typeof ApiKey;
    if (!(api in ApiKey)) throw new Error(`${source}/${file}: unknown api ${api}`);
    const hex = readFileSync(join(dir, file), "utf8")
      .split("\n")
      .filter((line) => !line.trimStart().startsWith("#"))
      .join("")
      .replace(/\s+/g, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`${source}/${file}: not hex`);
    let frame = Buffer.from(hex, "hex");
    if (frame.length >= 4 && frame.readInt32BE(0) === frame.length - 4) frame = frame.subarray(4);
    frames.push({ source, file, api, version: Number(match[2]), frame });
  }
  return frames;
}
