import type { Socket } from "node:net";

/**
 * Writes to one client. Frames produced in the same tick are corked into a
 * single writev: a broadcast to a daemon or a burst of replies costs one
 * syscall, not one per frame. `pendingBytes` is what the peer has not taken
 * yet, the number the slow-consumer cap is checked against.
 */
export class Outbound {
  private corked = false;
  private lastWrite = Date.now();

  constructor(private readonly socket: Socket) {}

  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  /** When the last frame or heart-beat was written (Date.now ms). */
  get lastWriteAt(): number {
    return this.lastWrite;
  }

  get writable(): boolean {
    return this.socket.writable && !this.socket.destroyed;
  }

  write(...chunks: Uint8Array[]): void {
    if (!this.writable) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    for (const chunk of chunks) if (chunk.length > 0) this.socket.write(chunk);
    this.lastWrite = Date.now();
  }
}
