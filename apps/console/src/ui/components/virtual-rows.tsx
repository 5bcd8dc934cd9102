/**
 * A scrolling table that renders only the rows in view (plus a few either
 * side), with spacer rows standing in for the rest: a thousand nodes cost
 * the DOM a few dozen rows, so appending replies and scrolling stay smooth.
 * Rows have one fixed height, which is what makes the window arithmetic.
 */
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

const OVERSCAN = 8;

export function VirtualRows<T>({
  items,
  rowHeight,
  maxHeight,
  label,
  columns,
  header,
  row,
  testId,
}: {
  items: readonly T[];
  rowHeight: number;
  maxHeight: number;
  label: string;
  /** CSS widths of the columns (`table-layout: fixed` keeps rows one height). */
  columns: readonly string[];
  header: ComponentChildren;
  row: (item: T, index: number) => ComponentChildren;
  testId?: string;
}) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(maxHeight);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight || maxHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, [maxHeight]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const shown = items.slice(first, last);

  return (
    <div
      class="vscroll"
      ref={viewport}
      style={{ maxHeight: `${maxHeight}px`, "--row-height": `${rowHeight}px` }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={testId}
    >
      <table class="vtable" aria-label={label} aria-rowcount={items.length + 1}>
        <colgroup>
          {columns.map((width, i) => (
            <col key={i} style={{ width }} />
          ))}
        </colgroup>
        <thead>{header}</thead>
        <tbody>
          {first > 0 && <tr class="spacer" style={{ height: `${first * rowHeight}px` }} />}
          {shown.map((item, i) => row(item, first + i))}
          {last < items.length && (
            <tr class="spacer" style={{ height: `${(items.length - last) * rowHeight}px` }} />
          )}
        </tbody>
      </table>
    </div>
  );
}
