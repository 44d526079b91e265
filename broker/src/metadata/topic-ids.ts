import type { RandomBytes } from "../runtime/random";

/** The all-zero uuid: "no topic id" on the wire. */
export const ZERO_UUID: Buffer = Buffer.alloc(16);

/** Topic ids are kept as hex in the metadata image and sent as 16 bytes. */
export function topicIdBytes(hex: string): Buffer {
  return Buffer.from(hex, "hex");
}

export function topicIdHex(bytes: Buffer): string {
  return bytes.toString("hex");
}

export function newTopicId(random: RandomBytes): string {
  // An all-zero id means "no id" on the wire, so draw until it is not.
  for (;;) {
    const id = random(16);
    if (!id.every((byte) => byte === 0)) return id.toString("hex");
  }
}
