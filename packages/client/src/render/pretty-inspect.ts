/**
 * Ruby 3.1's `pretty_inspect` (pp.rb on prettyprint.rb, Oppen's algorithm):
 * `printrpc` shows every non-String reply value this way, so Arrays and
 * Hashes wider than the line break exactly where Ruby breaks them.
 * Leaves (numbers, Strings, Symbols, nil, objects) print as `#inspect`.
 */
import {
  inspect,
  RubyExtended,
  RubyString,
  RubyUserClass,
  type RubyValue,
  RubyWithIvars,
} from "@phobos/core";

/** Ruby measures text in characters, not UTF-16 units. */
function charWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

class Group {
  readonly breakables: Breakable[] = [];
  broken = false;
  constructor(readonly depth: number) {}
}

class GroupQueue {
  readonly #queue: Group[][] = [];

  enq(group: Group): void {
    while (group.depth >= this.#queue.length) this.#queue.push([]);
    this.#queue[group.depth]?.push(group);
  }

  deq(): Group | undefined {
    for (const groups of this.#queue) {
      for (let i = groups.length - 1; i >= 0; i--) {
        const group = groups[i] as Group;
        if (group.breakables.length > 0) {
          groups.splice(i, 1);
          group.broken = true;
          return group;
        }
      }
      for (const group of groups) group.broken = true;
      groups.length = 0;
    }
    return undefined;
  }

  delete(group: Group): void {
    const groups = this.#queue[group.depth];
    const at = groups?.indexOf(group) ?? -1;
    if (groups && at >= 0) groups.splice(at, 1);
  }
}

class Text {
  readonly parts: string[] = [];
  width = 0;

  output(printer: PrettyPrinter, outputWidth: number): number {
    for (const part of this.parts) printer.out += part;
    return outputWidth + this.width;
  }
}

class Breakable {
  readonly indent: number;
  readonly group: Group;

  constructor(
    readonly sep: string,
    readonly width: number,
    printer: PrettyPrinter,
  ) {
    this.indent = printer.indent;
    this.group = printer.currentGroup;
    this.group.breakables.push(this);
  }

  output(printer: PrettyPrinter, outputWidth: number): number {
    this.group.breakables.shift();
    if (this.group.broken) {
      printer.out += `\n${" ".repeat(this.indent)}`;
      return this.indent;
    }
    if (this.group.breakables.length === 0) printer.queue.delete(this.group);
    printer.out += this.sep;
    return outputWidth + this.width;
  }
}

/** PrettyPrint: text, breakables and groups, buffered until a line's fate is known. */
class PrettyPrinter {
  out = "";
  indent = 0;
  readonly queue: GroupQueue;
  #outputWidth = 0;
  #bufferWidth = 0;
  readonly #buffer: (Text | Breakable)[] = [];
  readonly #groups: Group[];

  constructor(readonly maxwidth: number) {
    const root = new Group(0);
    this.#groups = [root];
    this.queue = new GroupQueue();
    this.queue.enq(root);
  }

  get currentGroup(): Group {
    return this.#groups[this.#groups.length - 1] as Group;
  }

  #breakOutmostGroups(): void {
    while (this.maxwidth < this.#outputWidth + this.#bufferWidth) {
      const group = this.queue.deq();
      if (!group) return;
      while (group.breakables.length > 0) {
        const data = this.#buffer.shift() as Text | Breakable;
        this.#outputWidth = data.output(this, this.#outputWidth);
        this.#bufferWidth -= data.width;
      }
      while (this.#buffer.length > 0 && this.#buffer[0] instanceof Text) {
        const text = this.#buffer.shift() as Text;
        this.#outputWidth = text.output(this, this.#outputWidth);
        this.#bufferWidth -= text.width;
      }
    }
  }

  text(obj: string, width = charWidth(obj)): void {
    if (this.#buffer.length === 0) {
      this.out += obj;
      this.#outputWidth += width;
      return;
    }
    let last = this.#buffer[this.#buffer.length - 1];
    if (!(last instanceof Text)) {
      last = new Text();
      this.#buffer.push(last);
    }
    last.parts.push(obj);
    last.width += width;
    this.#bufferWidth += width;
    this.#breakOutmostGroups();
  }

  breakable(sep = " ", width = charWidth(sep)): void {
    const group = this.currentGroup;
    if (group.broken) {
      this.flush();
      this.out += `\n${" ".repeat(this.indent)}`;
      this.#outputWidth = this.indent;
      this.#bufferWidth = 0;
    } else {
      this.#buffer.push(new Breakable(sep, width, this));
      this.#bufferWidth += width;
      this.#breakOutmostGroups();
    }
  }

  group(indent: number, open: string, close: string, body: () => void): void {
    this.text(open);
    const group = new Group(this.currentGroup.depth + 1);
    this.#groups.push(group);
    this.queue.enq(group);
    this.indent += indent;
    try {
      body();
    } finally {
      this.indent -= indent;
      this.#groups.pop();
      if (group.breakables.length === 0) this.queue.delete(group);
    }
    this.text(close);
  }

  flush(): void {
    for (const data of this.#buffer) this.#outputWidth = data.output(this, this.#outputWidth);
    this.#buffer.length = 0;
    this.#bufferWidth = 0;
  }
}

function seplist<T>(q: PrettyPrinter, items: Iterable<T>, each: (item: T) => void, sep?: () => void): void {
  let first = true;
  for (const item of items) {
    if (first) first = false;
    else if (sep) sep();
    else {
      q.text(",");
      q.breakable();
    }
    each(item);
  }
}

function unwrap(value: RubyValue): RubyValue {
  let v = value;
  while (v instanceof RubyWithIvars || v instanceof RubyUserClass || v instanceof RubyExtended) v = v.value;
  return v;
}

function stringLines(value: RubyValue): string[] | undefined {
  const text = typeof value === "string" ? value : value instanceof RubyString ? value.toString() : undefined;
  if (text === undefined) return undefined;
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** PP#pp: containers as groups, multi-line Strings as `"a\n" + "b"`, everything else its inspect. */
function pp(q: PrettyPrinter, value: RubyValue, open: Set<object>): void {
  const v = unwrap(value);
  q.group(0, "", "", () => {
    if (Array.isArray(v)) {
      if (open.has(v)) {
        q.text(v.length === 0 ? "[]" : "[...]");
        return;
      }
      open.add(v);
      q.group(1, "[", "]", () => seplist(q, v, (item) => pp(q, item, open)));
      open.delete(v);
    } else if (v instanceof Map) {
      if (open.has(v)) {
        q.text(v.size === 0 ? "{}" : "{...}");
        return;
      }
      open.add(v);
      q.group(1, "{", "}", () =>
        seplist(q, v, ([key, item]) => {
          q.group(0, "", "", () => {
            pp(q, key, open);
            q.text("=>");
            q.group(1, "", "", () => {
              q.breakable("");
              pp(q, item, open);
            });
          });
        }),
      );
      open.delete(v);
    } else {
      const lines = stringLines(v);
      if (lines && lines.length > 1) {
        q.group(0, "", "", () =>
          seplist(
            q,
            lines,
            (line) => pp(q, line, open),
            () => {
              q.text(" +");
              q.breakable();
            },
          ),
        );
      } else {
        q.text(inspect(v));
      }
    }
  });
}

/**
 * The text `value.pretty_inspect` returns, newline included. `columns` is
 * what Ruby's `PP.width_for` finds for a String target: `COLUMNS` when set,
 * else 80; lines are kept to one less.
 */
export function prettyInspect(value: RubyValue, columns = defaultColumns()): string {
  const q = new PrettyPrinter(columns - 1);
  pp(q, value, new Set());
  q.flush();
  return `${q.out}\n`;
}

function defaultColumns(): number {
  const n = Number.parseInt(process.env.COLUMNS ?? "", 10);
  return Number.isFinite(n) && n !== 0 ? n : 80;
}
