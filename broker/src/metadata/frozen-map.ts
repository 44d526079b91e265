/**
 * A Map that refuses every change once built. The metadata image hands its
 * maps to every reader, including ones holding an older image, so a change
 * must make a new map rather than edit a shared one; this makes a stray edit
 * fail where it happens instead of silently rewriting history.
 */
export class FrozenMap<K, V> extends Map<K, V> {
  readonly #frozen: boolean;

  constructor(entries: Iterable<readonly [K, V]> = []) {
    super();
    for (const [key, value] of entries) super.set(key, value);
    this.#frozen = true;
  }

  override set(key: K, value: V): this {
    // Map's own constructor never calls set here (entries go through super.set above), so any call is an edit.
    if (this.#frozen) throw new TypeError("a metadata image is immutable: build a new one through a MetadataDelta");
    return super.set(key, value);
  }

  override delete(): boolean {
    throw new TypeError("a metadata image is immutable: build a new one through a MetadataDelta");
  }

  override clear(): void {
    throw new TypeError("a metadata image is immutable: build a new one through a MetadataDelta");
  }
}
