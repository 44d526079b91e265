/**
 * Splits a TCP byte stream into Kafka frames: int32 size, then `size` bytes.
 * Chunks are kept by reference until a whole frame is present, so a 1 MiB
 * produce request is copied once, not once per socket read.
 */
export class FrameTooLargeError extends Error {
  override readonly name = "FrameTooLargeError";
}

const EMPTY = Buffer.alloc(0);

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Size of the frame being assembled, or -1 while its size prefix is incomplete. */
  private frameBytes = -1;

  constructor(
    private frameBytesMax: number,
    /** The property that sets the limit, for the error message. */
    private limitName = "socket.request.max.bytes",
  ) {}

  /** Changes the limit for frames whose size has not been read yet (a SASL connection's, once authenticated). */
  setLimit(frameBytesMax: number, limitName: string): void {
    this.frameBytesMax = frameBytesMax;
    this.limitName = limitName;
  }

  /** Feeds bytes in; returns the frames they complete (without size prefixes). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.frameBytes < 0) {
        if (this.bufferedBytes < 4) break;
        const size = this.peekInt32();
        if (size < 0 || size > this.frameBytesMax) {
          throw new FrameTooLargeError(
            size < 0 ? `negative frame size ${size}` : `frame of ${size} bytes exceeds ${this.limitName}=${this.frameBytesMax}`,
          );
        }
        this.take(4);
        this.frameBytes = size;
      }
      if (this.bufferedBytes < this.frameBytes) break;
      frames.push(this.take(this.frameBytes));
      this.frameBytes = -1;
    }
    return frames;
  }

  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /**
   * Bytes of the partial frame's body received so far; 0 between frames. A
   * size prefix is a size, not request bytes: a whole one is dropped once
   * read, and the at most 3 bytes of one not yet whole are not counted, so
   * that connections waiting for room between frames cannot fill the pool
   * among themselves.
   */
  get partialFrameReceivedBytes(): number {
    return this.frameBytes < 0 ? 0 : this.bufferedBytes;
  }

  /** Bytes still to come before the partial frame is whole; 0 between frames. */
  get partialFrameRemainingBytes(): number {
    return this.frameBytes < 0 ? 0 : this.frameBytes - this.bufferedBytes;
  }

  private peekInt32(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    return this.concatAll().readInt32BE(0);
  }

  private concatAll(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bufferedBytes);
    this.chunks = [all];
    return all;
  }

  /** Removes and returns the next `bytes` bytes. */
  private take(bytes: number): Buffer {
    // A size-0 frame may end the buffered bytes, leaving no chunk to slice.
    if (bytes === 0) return EMPTY;
    let first = this.chunks[0];
    if (first.length < bytes) first = this.concatAllUpTo(bytes);
    const taken = first.subarray(0, bytes);
    if (first.length === bytes) this.chunks.shift();
    else this.chunks[0] = first.subarray(bytes);
    this.bufferedBytes -= bytes;
    return taken;
  }

  /** Merges leading chunks until the first holds at least `bytes`. */
  private concatAllUpTo(bytes: number): Buffer {
    let count = 0;
    let total = 0;
    while (total < bytes) total += this.chunks[count++].length;
    const merged = Buffer.concat(this.chunks.slice(0, count), total);
    this.chunks.splice(0, count, merged);
    return merged;
  }
}
