import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Passwords are kept as scrypt hashes (memory-hard: N=2^15, r=8 takes 32 MiB
 * per guess), in the form scrypt$N$r$p$salt$hash with salt and hash in base64.
 * `npm run hash-password` makes one for the configuration file.
 */
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
/** Hashes the configuration may hold are bounded so a hostile file cannot make a login take gigabytes. */
const N_MAX = 2 ** 20;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, bytes: number): Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize("NFKC"), salt, bytes, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P, KEY_BYTES);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** True when `password` matches `stored`; false for a wrong password and for anything that is not a hash of this form. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const [cost, block, parallel] = [Number(n), Number(r), Number(p)];
  if (!Number.isSafeInteger(cost) || cost < 2 || cost > N_MAX || (cost & (cost - 1)) !== 0) return false;
  if (!Number.isSafeInteger(block) || block < 1 || block > 32 || !Number.isSafeInteger(parallel) || parallel < 1 || parallel > 16) return false;
  const expected = Buffer.from(hash, "base64");
  if (expected.length < 16) return false;
  const key = await derive(password, Buffer.from(salt, "base64"), cost, block, parallel, expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash to compare against when the user does not exist, so an unknown name takes as long as a wrong password. */
let decoy: Promise<string> | null = null;
export const decoyHash = () => (decoy ??= hashPassword(randomBytes(16).toString("hex")));
