import { DdlDefinitionError } from "@phobos/errors";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type RubyToken, tokenizeRuby } from "./ruby-lexer.js";

/** Tokens without positions, for compact expectations. */
function toks(source: string): unknown[] {
  return tokenizeRuby(source)
    .filter((t) => t.type !== "eof")
    .map((t) => {
      const {
        line: _line,
        spaceBefore: _space,
        column: _column,
        offset: _offset,
        end: _end,
        ...rest
      } = t as RubyToken & Record<string, unknown>;
      return rest;
    });
}

function error(source: string, file = "x.ddl"): string {
  try {
    tokenizeRuby(source, file);
  } catch (e) {
    expect(e).toBeInstanceOf(DdlDefinitionError);
    return (e as Error).message;
  }
  throw new Error("expected a DdlDefinitionError");
}

describe("strings", () => {
  test("single quotes keep backslashes except \\\\ and \\'", () => {
    expect(toks(String.raw`'^[\w\-\.]+$' 'it\'s' 'a\\b'`)).toEqual([
      { type: "string", parts: [String.raw`^[\w\-\.]+$`] },
      { type: "string", parts: ["it's"] },
      { type: "string", parts: [String.raw`a\b`] },
    ]);
  });

  test("double quotes: escapes, octal, hex, unicode, line continuation", () => {
    expect(toks(String.raw`"a\tb\n\s\e\101\x4a\u00e9\u{1F600 41}\"\#\q"`)).toEqual([
      { type: "string", parts: ['a\tb\n \x1bAJé😀A"#q'] },
    ]);
    expect(toks('"a\\\nb"')).toEqual([{ type: "string", parts: ["ab"] }]);
  });

  test("interpolation keeps the code for the parser, with its line", () => {
    const [t] = tokenizeRuby('"Agent #{item.to_s} x #{ {a: 1}[:a] }"');
    expect(t).toMatchObject({
      type: "string",
      parts: [
        "Agent ",
        { code: "item.to_s", line: 1, column: 10 },
        " x ",
        { code: " {a: 1}[:a] ", line: 1, column: 25 },
      ],
    });
  });

  test('"key": is a label', () => {
    expect(toks('{"key": 1}')).toEqual([
      { type: "op", value: "{" },
      { type: "label", name: "key" },
      { type: "int", value: 1 },
      { type: "op", value: "}" },
    ]);
  });

  test("heredocs: <<-, <<~, <<ID and quoted identifiers; the rest of the line goes on", () => {
    const src =
      "usage <<-EOU, 1\n  one\n    two #{x}\n  EOU\nx <<~EOS\n    a\n      b\n  EOS\ny <<'RAW'\n\\t #{no}\nRAW\nz <<EOT\n EOT\nEOT\n";
    const strings = tokenizeRuby(src).filter((t) => t.type === "string");
    expect(strings.map((t) => (t as { parts: unknown }).parts)).toEqual([
      ["  one\n    two ", { code: "x", line: 3 }, "\n"],
      ["a\n  b\n"],
      ["\\t #{no}\n"],
      [" EOT\n"],
    ]);
    expect(toks("usage <<-EOU, 1\nx\nEOU\n").slice(2)).toEqual([
      { type: "op", value: "," },
      { type: "int", value: 1 },
      { type: "newline" },
    ]);
  });

  test("an unterminated heredoc names its identifier and line", () => {
    expect(error("a = 1\nusage <<-EOU\nno end")).toBe(
      'x.ddl:2: can\'t find string "EOU" anywhere before EOF',
    );
  });
});

describe("symbols, labels, words, numbers, regexps", () => {
  test("symbols", () => {
    expect(toks(":name :ok? :\"a b\" :'c' :[] :+")).toEqual([
      { type: "symbol", name: "name" },
      { type: "symbol", name: "ok?" },
      { type: "dsym", parts: ["a b"] },
      { type: "symbol", name: "c" },
      { type: "symbol", name: "[]" },
      { type: "symbol", name: "+" },
    ]);
    expect(toks(":a=>1")).toEqual([
      { type: "symbol", name: "a" },
      { type: "op", value: "=>" },
      { type: "int", value: 1 },
    ]);
  });

  test("labels, keywords as labels, and :: stays an operator", () => {
    expect(toks("prompt: 1, if: 2, A::B")).toEqual([
      { type: "label", name: "prompt" },
      { type: "int", value: 1 },
      { type: "op", value: "," },
      { type: "label", name: "if" },
      { type: "int", value: 2 },
      { type: "op", value: "," },
      { type: "const", name: "A" },
      { type: "op", value: "::" },
      { type: "const", name: "B" },
    ]);
  });

  test("%w, %i, %q, %Q, %() and %r", () => {
    const literals = toks("[%w[a b\\ c  d], %i(x y), %q{it's {nested}}, %Q<a#{1}>, %(x), %r{a/b}i]").filter(
      (t) => (t as { type: string }).type !== "op",
    );
    expect(literals).toEqual([
      { type: "words", words: ["a", "b c", "d"], symbols: false },
      { type: "words", words: ["x", "y"], symbols: true },
      { type: "string", parts: ["it's {nested}"] },
      { type: "string", parts: ["a", { code: "1", line: 1, column: 51 }] },
      { type: "string", parts: ["x"] },
      { type: "regexp", source: "a/b", options: "i" },
    ]);
    // After a value, % is the modulo operator, as in Ruby.
    expect(toks("x %w")).toEqual([
      { type: "ident", name: "x" },
      { type: "op", value: "%" },
      { type: "ident", name: "w" },
    ]);
  });

  test("numbers in every base, underscores, floats and exponents", () => {
    expect(toks("1_000 0x1f 0b11 0o17 017 0d9 1.5 1e3 2.5e-2 99999999999999999999")).toEqual([
      { type: "int", value: 1000 },
      { type: "int", value: 31 },
      { type: "int", value: 3 },
      { type: "int", value: 15 },
      { type: "int", value: 15 },
      { type: "int", value: 9 },
      { type: "float", value: 1.5 },
      { type: "float", value: 1000 },
      { type: "float", value: 0.025 },
      { type: "int", value: 99999999999999999999n },
    ]);
    expect(toks("1.to_s")).toEqual([
      { type: "int", value: 1 },
      { type: "op", value: "." },
      { type: "ident", name: "to_s" },
    ]);
    expect(error("1__0")).toMatch(/trailing '_' in number/);
    expect(error("08")).toMatch(/Invalid octal digit/);
    expect(error("12abc")).toMatch(/unexpected "a" after number 12/);
  });

  test("a regexp after an operator or a method name, division otherwise; \\/ is unescaped", () => {
    expect(toks(":v => /^a\\/b$/mix")).toEqual([
      { type: "symbol", name: "v" },
      { type: "op", value: "=>" },
      { type: "regexp", source: "^a/b$", options: "mix" },
    ]);
    expect(toks("foo /x/")[1]).toEqual({ type: "regexp", source: "x", options: "" });
    expect(toks("a / b")[1]).toEqual({ type: "op", value: "/" });
    expect(error("/a#{b}/")).toMatch(/interpolation in a regexp is not supported/);
  });
});

describe("layout", () => {
  test("comments, =begin/=end, line continuation and __END__", () => {
    expect(toks("a # comment\n=begin\nignored\n=end\nb \\\n  c\n__END__\nnot ruby")).toEqual([
      { type: "ident", name: "a" },
      { type: "newline" },
      { type: "ident", name: "b" },
      { type: "ident", name: "c" },
      { type: "newline" },
    ]);
  });

  test("blank lines collapse; a line starting with .method continues the previous one", () => {
    expect(toks("a\n\n\n  .b\n  # c\n  .c\nd")).toEqual([
      { type: "ident", name: "a" },
      { type: "op", value: "." },
      { type: "ident", name: "b" },
      { type: "op", value: "." },
      { type: "ident", name: "c" },
      { type: "newline" },
      { type: "ident", name: "d" },
    ]);
  });

  test("lines and spacing are recorded", () => {
    const t = tokenizeRuby("a [1]\nb[2]");
    expect(t.map((x) => [x.type, x.line, x.spaceBefore])).toEqual([
      ["ident", 1, false],
      ["op", 1, true],
      ["int", 1, false],
      ["op", 1, false],
      ["newline", 1, false],
      ["ident", 2, true],
      ["op", 2, false],
      ["int", 2, false],
      ["op", 2, false],
      ["eof", 2, false],
    ]);
  });
});

describe("errors carry file:line", () => {
  test.each([
    ['a = "open', "x.ddl:1: unterminated string meets end of file"],
    ["`ls`", "x.ddl:1: command literals (`…`) are not part of the DDL language"],
    ["\n\n\\x", 'x.ddl:3: unexpected character "\\\\"'],
    ["=begin\nno end", "x.ddl:1: embedded document meets end of file"],
    ['"#@foo"', "x.ddl:1: instance and global variable interpolation is not part of the DDL language"],
    ['"\\u{110000}"', "x.ddl:1: invalid Unicode codepoint"],
    ['"\\cA"', "x.ddl:1: control/meta escapes (\\c) are not supported"],
    ["/abc", "x.ddl:1: unterminated regexp meets end of file"],
    ["/a/q", "x.ddl:1: unknown regexp option - q"],
    ["x = ?a", "x.ddl:1: character literals (?x) are not part of the DDL language"],
  ])("%j", (source, message) => {
    expect(error(source)).toBe(message);
  });
});

describe("tokenizeRuby on arbitrary input", () => {
  const rubyish = fc.array(
    fc.constantFrom(
      "metadata",
      " ",
      "\n",
      ":name",
      " => ",
      '"',
      "'",
      "#{",
      "}",
      "\\",
      "/",
      "%w[",
      "%r{",
      "]",
      "<<-EOU",
      "<<~X",
      "EOU",
      "X",
      "=begin",
      "=end",
      "__END__",
      "#",
      "0x",
      "1_",
      "1.5e",
      "?",
      ":",
      "@",
      "$",
      "`",
      "\u0000",
      "é",
      "\ud800",
      "do",
      "end",
      "|x|",
      ",",
      "(",
      ")",
    ),
    { maxLength: 40 },
  );

  test("only ever returns tokens or throws DdlDefinitionError", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          rubyish.map((parts) => parts.join("")),
        ),
        (source) => {
          try {
            const tokens = tokenizeRuby(source, "f.ddl");
            expect(tokens.at(-1)?.type).toBe("eof");
          } catch (e) {
            if (!(e instanceof DdlDefinitionError)) throw e;
            expect(e.message).toMatch(/^f\.ddl:\d+: /);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
