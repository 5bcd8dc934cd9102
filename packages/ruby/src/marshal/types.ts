/**
 * The JavaScript model of Ruby values as Marshal carries them.
 *
 * Mapping (both directions):
 *   nil → null, true/false → boolean,
 *   Integer → number (safe range) or bigint (beyond it),
 *   Float → number; an integral Float (`0.0`) decodes to `RubyFloat` so it
 *           encodes back as a Float and inspects as `0.0`; `rubyFloat(x)` forces one,
 *   Symbol → JS symbol from `Symbol.for(name)` (so `sym("agent") === sym("agent")`),
 *   String → JS string when it carries an encoding (`:E` true/false or `:encoding`),
 *            `Uint8Array` (a Buffer) when it is binary (bare `"`, ASCII-8BIT);
 *            with `load(…, { strings: "ruby" })` every string is a `RubyString`
 *            that remembers its bytes and encoding, so dump reproduces it exactly,
 *   Array → Array, Hash → Map (insertion order kept; `RubyHash` when it has a default),
 *   Regexp → RubyRegexp, anything else → RubyObject / RubyStruct / RubyUserDefined / …
 *
 * Rarely seen shapes keep their wire structure so a faithful load → dump gives
 * the same bytes: instance variables on a String/Array/Hash (`I`) →
 * `RubyWithIvars`, a subclass of String/Array/Hash/Regexp (`C`) → `RubyUserClass`,
 * `obj.extend(Mod)` (`e`) → `RubyExtended`, and a non-ASCII Symbol whose encoding
 * is not UTF-8 (a JS symbol cannot carry its bytes) → `RubySymbol`.
 */

export type RubyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | symbol
  | Uint8Array
  | RubyString
  | RubyFloat
  | RubyValue[]
  | Map<RubyValue, RubyValue>
  | RubyRegexp
  | RubyObject
  | RubyStruct
  | RubyUserDefined
  | RubyUserMarshal
  | RubyClassRef
  | RubyData
  | RubySymbol
  | RubyWithIvars
  | RubyUserClass
  | RubyExtended;

/** Encodings MCollective messages use; others keep their Ruby name. */
export type RubyEncoding = "UTF-8" | "US-ASCII" | "ASCII-8BIT" | (string & {});

/** A Ruby String with its exact bytes and encoding (faithful mode). */
export class RubyString {
  constructor(
    readonly bytes: Uint8Array,
    readonly encoding: RubyEncoding,
  ) {}

  static utf8(text: string): RubyString {
    return new RubyString(Buffer.from(text, "utf8"), "UTF-8");
  }

  static ascii(text: string): RubyString {
    return new RubyString(Buffer.from(text, "latin1"), "US-ASCII");
  }

  static binary(bytes: Uint8Array): RubyString {
    return new RubyString(bytes, "ASCII-8BIT");
  }

  toString(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString(
      this.encoding === "ASCII-8BIT" ? "latin1" : "utf8",
    );
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A Ruby Float whose value happens to be integral (`0.0`), or one forced by `rubyFloat`. */
export class RubyFloat {
  constructor(readonly value: number) {}

  valueOf(): number {
    return this.value;
  }

  toJSON(): number {
    return this.value;
  }
}

export function rubyFloat(value: number): RubyFloat {
  return new RubyFloat(value);
}

/** A Hash with a default value (`}` in Marshal). */
export class RubyHash extends Map<RubyValue, RubyValue> {
  constructor(
    entries: Iterable<readonly [RubyValue, RubyValue]> = [],
    public defaultValue: RubyValue = null,
  ) {
    super(entries);
  }
}

/**
 * Ruby Regexp: source and option bits (1 IGNORECASE, 2 EXTENDED, 4 MULTILINE,
 * 16 fixed encoding, 32 no encoding `/n`). Without `encoding` the dumper
 * makes Ruby's own choice (US-ASCII for an ASCII-only source, ASCII-8BIT for
 * a fixed `/n`, UTF-8 otherwise, adding bit 16 to a non-ASCII source as Ruby
 * does); `load` sets it only where the wire says otherwise. Sources in
 * encodings other than UTF-8 are kept byte for byte as latin1 text.
 */
export class RubyRegexp {
  constructor(
    readonly source: string,
    readonly options = 0,
    readonly encoding?: RubyEncoding,
  ) {}
}

/** A plain Ruby object (`o`): class name and instance variables (`@name` → value). */
export class RubyObject {
  constructor(
    readonly className: string,
    readonly ivars: Map<string, RubyValue> = new Map(),
  ) {}
}

/** A Ruby Struct (`S`). */
export class RubyStruct {
  constructor(
    readonly className: string,
    readonly members: Map<string, RubyValue> = new Map(),
  ) {}
}

/**
 * An object with a custom `_dump` (`u`): class name and its opaque bytes.
 * `ivars` are those of the dumped String as on the wire, its encoding
 * included (`E` → true for UTF-8, `encoding` → "Shift_JIS").
 */
export class RubyUserDefined {
  constructor(
    readonly className: string,
    readonly data: Uint8Array,
    readonly ivars: Map<string, RubyValue> = new Map(),
  ) {}
}

/** An object with `marshal_dump` (`U`): class name and the dumped value. */
export class RubyUserMarshal {
  constructor(
    readonly className: string,
    readonly data: RubyValue,
  ) {}
}

/** A Class (`c`), Module (`m`) or old-style module reference (`M`). */
export class RubyClassRef {
  constructor(
    readonly kind: "class" | "module" | "old-module",
    readonly name: string,
  ) {}
}

/** A `d` (T_DATA) object: only its class and the dumped value are kept. */
export class RubyData {
  constructor(
    readonly className: string,
    readonly data: RubyValue,
  ) {}
}

/**
 * A Symbol whose bytes a JS symbol cannot carry: non-ASCII in an encoding other
 * than UTF-8 (`"\xff".b.to_sym`, a Shift_JIS symbol). Only `load(…, { strings:
 * "ruby" })` produces these; default mode gives `Symbol.for` of the decoded name.
 */
export class RubySymbol {
  constructor(
    readonly bytes: Uint8Array,
    readonly encoding: RubyEncoding,
  ) {}

  toString(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString("latin1");
  }
}

/**
 * Instance variables on an object whose type has no room for them (`I` around
 * an Array, Hash, String…): `ivars` maps Ruby names (`@foo`, and `K` for a
 * ruby2_keywords Hash) to values. A String's encoding is not among them: it
 * stays on the string itself.
 */
export class RubyWithIvars {
  constructor(
    readonly value: RubyValue,
    readonly ivars: Map<string, RubyValue> = new Map(),
  ) {}
}

/** An instance of a subclass of String, Array, Hash or Regexp (`C`). */
export class RubyUserClass {
  constructor(
    readonly className: string,
    readonly value: RubyValue,
  ) {}
}

/** An object extended with modules (`e`), outermost module first as on the wire. */
export class RubyExtended {
  constructor(
    readonly modules: readonly string[],
    readonly value: RubyValue,
  ) {}
}

/** `Symbol.for(name)`: the one JS symbol standing for Ruby's `:name`. */
export function sym(name: string): symbol {
  return Symbol.for(name);
}
