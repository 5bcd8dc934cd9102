/**
 * MCollective's column helpers (`Util.field_size`, `Util.field_number`,
 * `Array#in_groups_of`): how "No response from:", inventory's class list and
 * `facts` size their columns.
 */

/** The longest element's length, or `min` when every element is shorter. */
export function fieldSize(elements: readonly string[], min = 40): number {
  const longest = Math.max(0, ...elements.map((e) => [...e].length));
  return Math.max(longest, min);
}

/** How many `size`-wide fields fit in `max` columns (at least one). */
export function fieldNumber(size: number, max = 90): number {
  const n = Math.trunc(max / size);
  return n === 0 ? 1 : n;
}

/** Chunks of `size`, the last padded with `pad` (Ruby pads with nil, printed as ""). */
export function inGroupsOf<T, P>(items: readonly T[], size: number, pad: P): (T | P)[][] {
  const groups: (T | P)[][] = [];
  for (let i = 0; i < items.length; i += size) {
    const group: (T | P)[] = items.slice(i, i + size);
    while (group.length < size) group.push(pad);
    groups.push(group);
  }
  return groups;
}

/** Ruby's `"%-Ns" % value`: left-justified in `width` characters. */
export function ljust(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : text + " ".repeat(width - length);
}

/** Ruby's `"%Ns" % value`: right-justified in `width` characters. */
export function rjust(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : " ".repeat(width - length) + text;
}
