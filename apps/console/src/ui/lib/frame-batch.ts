/**
 * Collects items that arrive one by one (a reply per node over SSE) and hands
 * them over at most once per animation frame: a thousand replies in a second
 * cost a few renders, not a thousand, so the page never stalls while a large
 * fleet answers.
 */
export interface FrameBatch<T> {
  push(item: T): void;
  /** Hands over what is pending now (at the end of a stream) and stops. */
  close(): void;
}

export function createFrameBatch<T>(deliver: (items: T[]) => void): FrameBatch<T> {
  let pending: T[] = [];
  let scheduled: { frame: number } | { timer: number } | undefined;
  let closed = false;
  const flush = () => {
    scheduled = undefined;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    deliver(items);
  };
  return {
    push(item) {
      if (closed) return;
      pending.push(item);
      // A hidden tab gets no animation frames: a timer keeps the batch moving.
      if (scheduled === undefined) {
        scheduled = document.hidden
          ? { timer: window.setTimeout(flush, 100) }
          : { frame: requestAnimationFrame(flush) };
      }
    },
    close() {
      if (closed) return;
      closed = true;
      if (scheduled !== undefined) {
        if ("frame" in scheduled) cancelAnimationFrame(scheduled.frame);
        else clearTimeout(scheduled.timer);
      }
      flush();
    },
  };
}
