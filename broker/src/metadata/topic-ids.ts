/** The all-zero uuid: "no topic id" on the wire. */
export const ZERO_UUID: Buffer = Buffer.alloc(16);

/** Topic ids are kept as hex in the metadata image and sent as 16 bytes. */
export function topicIdBytes(hex: string): Buffer {
  return Buffer.from(hex, "hex");
}

export function topicIdHex(bytes: Buffer): string {
  return bytes.toString("hex");
}
