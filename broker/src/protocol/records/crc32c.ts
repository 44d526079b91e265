import { crc32c as nativeCrc32c } from "@node-rs/crc32";

/** CRC-32C (Castagnoli) of `data`, computed natively (SIMD where the CPU has it). */
export function crc32c(data: Buffer, initial = 0): number {
  return nativeCrc32c(data, initial) >>> 0;
}
