import { useEffect, useRef, useState } from "preact/hooks";

/**
 * `value`, once it has not changed for `ms`: what the live count and the
 * validation ask about. Values are compared by their JSON, so a caller may
 * pass a fresh object every render: the settled value keeps its identity
 * until the content changes, and effects keyed on it run once per change.
 */
export function useDebounced<T>(value: T, ms: number): T {
  const key = JSON.stringify(value);
  const latest = useRef(value);
  latest.current = value;
  const settledKey = useRef(key);
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (key === settledKey.current) return;
    const timer = setTimeout(() => {
      settledKey.current = key;
      setSettled(latest.current);
    }, ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return settled;
}
