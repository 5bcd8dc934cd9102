/**
 * The broker-wide allowance for buffered message bytes. Queues have their own
 * caps; this one keeps thousands of queues from adding up to more than the
 * host can spare.
 */
export class BufferBudget {
  private used = 0;
  private messages = 0;

  constructor(private readonly max: number) {}

  get bytes(): number {
    return this.used;
  }

  get count(): number {
    return this.messages;
  }

  reserve(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    this.messages++;
    return true;
  }

  /** For messages coming back from consumers: they were accounted once and must be again. */
  forceReserve(bytes: number): void {
    this.used += bytes;
    this.messages++;
  }

  release(bytes: number): void {
    this.used -= bytes;
    this.messages--;
  }
}
