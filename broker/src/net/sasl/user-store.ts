import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { ListenerSaslConfig, SaslMechanism } from "../../config/broker-config";
import { digest, isScramMechanism, scramCredential, SCRAM_ITERATIONS_MIN, type ScramCredential, type ScramMechanism } from "../../protocol/sasl/scram";
import type { RandomBytes } from "../../runtime/random";

/** Kafka's default iteration count for new SCRAM credentials (kafka-configs, kafka-storage --add-scram). */
export const SCRAM_ITERATIONS = SCRAM_ITERATIONS_MIN;
const SALT_BYTES = 16;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * The users one SASL listener accepts, by mechanism. The store keeps no
 * password (the parsed config still holds them, as Kafka's does): PLAIN
 * keeps a SHA-256 digest of each, so that a check compares equal-length
 * values in constant time, and SCRAM the salted credential (salt,
 * iterations, StoredKey, ServerKey) derived here at startup, as Kafka stores
 * it in its metadata log.
 */
export class SaslUserStore {
  private readonly plain = new Map<string, Buffer>();
  private readonly scram = new Map<ScramMechanism, Map<string, ScramCredential>>();
  /** Keys the stand-in credentials of unknown users, so that asking twice about one name gives the same salt. */
  private readonly decoySecret: Buffer;
  private readonly decoyDigest: Buffer;

  constructor(users: ListenerSaslConfig["users"], random: RandomBytes) {
    this.decoySecret = random(32);
    this.decoyDigest = sha256(random(32).toString("hex"));
    for (const [mechanism, list] of users) {
      if (mechanism === "PLAIN") {
        for (const [name, password] of list) this.plain.set(name, sha256(password));
        continue;
      }
      const credentials = new Map<string, ScramCredential>();
      for (const [name, password] of list) credentials.set(name, scramCredential(mechanism, password, random(SALT_BYTES), SCRAM_ITERATIONS));
      this.scram.set(mechanism, credentials);
    }
  }

  /** Whether the PLAIN password is right; as slow for an unknown user as for a known one. */
  checkPlain(username: string, password: string): boolean {
    const stored = this.plain.get(username);
    const matches = timingSafeEqual(sha256(password), stored ?? this.decoyDigest);
    return stored !== undefined && matches;
  }

  /**
   * The SCRAM credential of a user. An unknown user gets a stand-in that no
   * proof matches, so that the exchange fails at its last step for unknown
   * users and wrong passwords alike (RFC 5802 section 9: no user enumeration).
   */
  scramCredential(mechanism: SaslMechanism, username: string): { credential: ScramCredential; known: boolean } {
    if (!isScramMechanism(mechanism)) throw new Error(`${mechanism} is not a SCRAM mechanism`);
    const credential = this.scram.get(mechanism)?.get(username);
    if (credential) return { credential, known: true };
    const seed = createHmac("sha256", this.decoySecret).update(`${mechanism}\0${username}`).digest();
    return {
      credential: {
        salt: seed.subarray(0, SALT_BYTES),
        iterations: SCRAM_ITERATIONS,
        storedKey: digest(mechanism, seed),
        serverKey: digest(mechanism, seed.subarray(SALT_BYTES)),
      },
      known: false,
    };
  }
}
