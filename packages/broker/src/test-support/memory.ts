import v8 from "node:v8";
import vm from "node:vm";

let collect: (() => void) | undefined;

/**
 * Bytes the process really holds (JS heap plus Buffers) after a full GC.
 * RSS is too noisy for a test: freed memory is not returned to the OS at once.
 */
export function retainedBytes(): number {
  if (!collect) {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as () => void;
  }
  collect();
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
