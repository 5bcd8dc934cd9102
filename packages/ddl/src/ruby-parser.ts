/**
 * A small recursive-descent parser for the Ruby subset MCollective DDL files
 * are written in: statements of method calls with or without parentheses
 * (`input :fact, :prompt => "…"`), `do … end` and `{ … }` blocks with
 * parameters (`[:a, :b].each do |item| … end`), literals, arrays, hashes
 * (`:key => value` and `key: value`, trailing commas), local variables,
 * `a.b.c` method chains, `+ - *`, `== != && || !` (`and or not`),
 * `if/elsif/else/unless` blocks and modifiers (package.ddl declares
 * `if act == 'install'`), and string interpolation. Anything else — `def`,
 * loops, constants, instance variables… — is refused with `file:line`, so
 * an unreadable DDL is reported instead of half-read.
 */
import { DdlDefinitionError } from "@phobos/errors";
import { type RubyToken, type StringPart, tokenizeRuby } from "./ruby-lexer.js";

export type RubyLiteral =
  | null
  | boolean
  | number
  | bigint
  | { float: number }
  | { symbol: string }
  | { regexp: string; options: string };

export interface RubyBlock {
  params: string[];
  body: RubyNode[];
  line: number;
}

/**
 * Where a node came from: its line, and (from the lexer's positions) its
 * column and source text, so a message can quote the expression it is about.
 */
export interface RubyNodePosition {
  line: number;
  column?: number;
  text?: string;
}

export type BinaryOperator =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "**"
  | "=="
  | "!="
  | "<"
  | ">"
  | "<="
  | ">="
  | "<=>"
  | "=~"
  | "!~"
  | "&"
  | "|";

export type RubyNode = RubyNodePosition &
  (
    | { kind: "literal"; value: RubyLiteral }
    | { kind: "str"; parts: (string | RubyNode)[] }
    | { kind: "dsym"; parts: (string | RubyNode)[] }
    | { kind: "words"; words: string[]; symbols: boolean }
    | { kind: "array"; items: RubyNode[] }
    | { kind: "hash"; pairs: [RubyNode, RubyNode][] }
    | { kind: "ident"; name: string }
    | { kind: "call"; receiver?: RubyNode; name: string; args: RubyNode[]; block?: RubyBlock; safe?: boolean }
    | { kind: "assign"; name: string; value: RubyNode }
    | { kind: "unary"; op: "-" | "+"; operand: RubyNode }
    | { kind: "binary"; op: BinaryOperator; left: RubyNode; right: RubyNode }
    | { kind: "range"; from: RubyNode; to: RubyNode; exclusive: boolean }
    | { kind: "logical"; op: "&&" | "||"; left: RubyNode; right: RubyNode }
    | { kind: "not"; operand: RubyNode }
    | { kind: "if"; condition: RubyNode; whenTrue: RubyNode[]; whenFalse: RubyNode[] }
    | { kind: "index"; target: RubyNode; args: RubyNode[] }
    | { kind: "seq"; body: RubyNode[] }
  );

type Tok = RubyToken;

function describe(t: Tok): string {
  switch (t.type) {
    case "op":
      return `'${t.value}'`;
    case "keyword":
      return `'${t.name}'`;
    case "ident":
    case "const":
    case "variable":
      return `'${t.name}'`;
    case "label":
      return `'${t.name}:'`;
    case "newline":
      return "end of line";
    case "eof":
      return "end of file";
    default:
      return `a ${t.type}`;
  }
}

const UNSUPPORTED_KEYWORDS: Record<string, string> = {
  case: "case statements",
  while: "loops (while)",
  until: "loops (until)",
  for: "loops (for)",
  def: "method definitions (def)",
  class: "class definitions",
  module: "module definitions",
  begin: "begin/rescue blocks",
  rescue: "rescue",
  self: "self",
  yield: "yield",
  return: "return",
  "defined?": "defined?",
};

export interface RubyParseOptions {
  /** How messages name the accepted language: "the DDL language" unless told. */
  language?: string;
  /** Messages point at `file:line:column` rather than `file:line`. */
  columns?: boolean;
}

class Parser {
  private i = 0;
  private readonly language: string;

  constructor(
    private readonly tokens: Tok[],
    private readonly file: string,
    /** The text the tokens were read from: nodes quote it. */
    private readonly source: string,
    private readonly options: RubyParseOptions,
    /** Names known to be local variables, innermost scope last: `item [1]` indexes a local, calls a method otherwise. */
    private readonly scopes: Set<string>[] = [new Set()],
  ) {
    this.language = options.language ?? "the DDL language";
  }

  /** Records where `node` starts (`from`) and the source text up to the last token read. */
  private mark<T extends RubyNode>(node: T, from: Tok): T {
    const last = this.tokens[this.i - 1];
    if (from.column !== undefined) node.column = from.column;
    if (from.offset !== undefined && last?.end !== undefined && last.end > from.offset) {
      node.text = this.source.slice(from.offset, last.end);
    }
    return node;
  }

  private get t(): Tok {
    return this.tokens[this.i] ?? (this.tokens[this.tokens.length - 1] as Tok);
  }

  private peek(k = 1): Tok {
    return this.tokens[this.i + k] ?? (this.tokens[this.tokens.length - 1] as Tok);
  }

  private fail(message: string, t: Tok = this.t): never {
    const at = this.options.columns && t.column !== undefined ? `${t.line}:${t.column}` : `${t.line}`;
    throw new DdlDefinitionError(`${this.file}:${at}: ${message}`);
  }

  private isOp(value: string, t: Tok = this.t): boolean {
    return t.type === "op" && t.value === value;
  }

  private isKeyword(name: string, t: Tok = this.t): boolean {
    return t.type === "keyword" && t.name === name;
  }

  private expectOp(value: string): Tok {
    if (!this.isOp(value)) this.fail(`expected '${value}' but found ${describe(this.t)}`);
    return this.tokens[this.i++] as Tok;
  }

  private skipNewlines(): void {
    while (this.t.type === "newline") this.i++;
  }

  private isLocal(name: string): boolean {
    return this.scopes.some((s) => s.has(name));
  }

  private declare(name: string): void {
    (this.scopes[this.scopes.length - 1] as Set<string>).add(name);
  }

  parseProgram(): RubyNode[] {
    const body = this.parseStatements((t) => t.type === "eof");
    return body;
  }

  private parseStatements(isEnd: (t: Tok) => boolean): RubyNode[] {
    const body: RubyNode[] = [];
    for (;;) {
      while (this.t.type === "newline" || this.isOp(";")) this.i++;
      if (isEnd(this.t)) return body;
      if (this.t.type === "eof") this.fail("unexpected end of file (missing 'end' or closing bracket?)");
      let statement = this.parseStatement();
      for (;;) {
        const m = this.tokens[this.i] as Tok;
        if (m.type !== "keyword" || (m.name !== "if" && m.name !== "unless")) break;
        this.i++;
        const condition = this.parseCondition();
        statement =
          m.name === "if"
            ? { kind: "if", condition, whenTrue: [statement], whenFalse: [], line: m.line }
            : { kind: "if", condition, whenTrue: [], whenFalse: [statement], line: m.line };
      }
      body.push(statement);
      const t = this.tokens[this.i] as Tok;
      if (t.type === "newline" || this.isOp(";") || isEnd(t)) continue;
      if (t.type === "keyword" && ["while", "until", "rescue"].includes(t.name)) {
        this.fail(`statement modifiers (${t.name}) are not part of ${this.language}`);
      }
      if (t.type === "eof") this.fail("unexpected end of file (missing 'end' or closing bracket?)");
      this.fail(`unexpected ${describe(t)}`);
    }
  }

  private parseStatement(): RubyNode {
    const t = this.t;
    if (t.type === "ident" && this.isOp("=", this.peek())) {
      this.i += 2;
      this.skipNewlines();
      const value = this.parseCommandOrExpression();
      this.declare(t.name);
      return { kind: "assign", name: t.name, value, line: t.line };
    }
    return this.parseCommandOrExpression();
  }

  /** Whether `t`, right after a method name and a space, starts that method's first argument. */
  private startsCommandArgument(t: Tok, after: Tok): boolean {
    if (!t.spaceBefore) return false;
    switch (t.type) {
      case "int":
      case "float":
      case "string":
      case "dsym":
      case "symbol":
      case "regexp":
      case "words":
      case "label":
      case "ident":
      case "const":
      case "variable":
        return true;
      case "keyword":
        return ["true", "false", "nil", "self", "not", "defined?"].includes(t.name);
      case "op":
        if (t.value === "[" || t.value === "(" || t.value === "->" || t.value === "::") return true;
        if (
          (t.value === "-" || t.value === "+" || t.value === "*" || t.value === "&" || t.value === "!") &&
          !after.spaceBefore
        ) {
          return after.type !== "newline" && after.type !== "eof";
        }
        return false;
      default:
        return false;
    }
  }

  /** A statement-level expression: here `name arg, arg do … end` without parentheses is allowed. */
  private parseCommandOrExpression(): RubyNode {
    const t = this.t;
    if (
      t.type === "ident" &&
      !this.isLocal(t.name) &&
      this.startsCommandArgument(this.peek(), this.peek(2))
    ) {
      this.i++;
      const args = this.parseArguments(undefined);
      const call: RubyNode = { kind: "call", name: t.name, args, line: t.line };
      if (this.isKeyword("do")) call.block = this.parseBlock();
      return this.mark(call, t);
    }
    const expr = this.parseExpression(false);
    // `list.each_slice 2 do …` / `x.join ", "`: a method call on a receiver may take command arguments too.
    if (expr.kind === "call" && expr.receiver && expr.args.length === 0 && !expr.block) {
      if (this.startsCommandArgument(this.t, this.peek())) {
        expr.args = this.parseArguments(undefined);
        if (this.isKeyword("do")) expr.block = this.parseBlock();
        this.mark(expr, t);
      }
    }
    return expr;
  }

  /**
   * Arguments up to `close` (a paren call) or to the end of the command. Trailing
   * `key => value` and `key: value` pairs become one Hash argument, as in Ruby.
   */
  private parseArguments(close: string | undefined): RubyNode[] {
    const args: RubyNode[] = [];
    const pairs: [RubyNode, RubyNode][] = [];
    let hashLine = this.t.line;
    const inParens = close !== undefined;
    if (inParens) {
      this.skipNewlines();
      if (this.isOp(close)) {
        this.i++;
        return args;
      }
    }
    for (;;) {
      if (inParens) this.skipNewlines();
      const t = this.t;
      if (t.type === "op" && (t.value === "*" || t.value === "&" || t.value === "**")) {
        this.fail(`splat and block arguments are not part of ${this.language}`);
      }
      if (t.type === "label") {
        this.i++;
        this.skipNewlines();
        if (pairs.length === 0) hashLine = t.line;
        pairs.push([
          { kind: "literal", value: { symbol: t.name }, line: t.line },
          this.parseExpression(!inParens),
        ]);
      } else {
        const expr = this.parseExpression(!inParens);
        if (this.isOp("=>")) {
          this.i++;
          this.skipNewlines();
          if (pairs.length === 0) hashLine = expr.line;
          pairs.push([expr, this.parseExpression(!inParens)]);
        } else {
          if (pairs.length > 0) this.fail("a positional argument cannot follow key => value arguments", t);
          args.push(expr);
        }
      }
      if (this.isOp(",")) {
        this.i++;
        this.skipNewlines();
        if (inParens && this.isOp(close)) break;
        continue;
      }
      break;
    }
    if (inParens) {
      this.skipNewlines();
      this.expectOp(close);
    }
    if (pairs.length > 0) args.push({ kind: "hash", pairs, line: hashLine });
    return args;
  }

  private parseBlock(): RubyBlock {
    const open = this.t;
    const brace = this.isOp("{");
    this.i++;
    const params: string[] = [];
    if (this.isOp("||")) {
      this.i++;
    } else if (this.isOp("|")) {
      this.i++;
      for (;;) {
        const p = this.t;
        if (p.type !== "ident")
          this.fail(`only plain block parameters (|a, b|) are supported, found ${describe(p)}`);
        params.push(p.name);
        this.i++;
        if (this.isOp(",")) {
          this.i++;
          continue;
        }
        this.expectOp("|");
        break;
      }
    }
    this.scopes.push(new Set(params));
    const body = this.parseStatements((t) => (brace ? this.isOp("}", t) : this.isKeyword("end", t)));
    this.scopes.pop();
    this.i++;
    return { params, body, line: open.line };
  }

  /** `noDo`: inside command arguments a `do` belongs to the command, not to an argument. */
  private parseExpression(noDo: boolean): RubyNode {
    return this.parseTernary(noDo);
  }

  /** `condition ? a : b`, right-associative. */
  private parseTernary(noDo: boolean): RubyNode {
    const start = this.t;
    const condition = this.parseRange(noDo);
    if (!this.isOp("?")) return condition;
    const line = this.t.line;
    this.i++;
    this.skipNewlines();
    const whenTrue = this.parseTernary(noDo);
    this.skipNewlines();
    if (this.t.type === "symbol" && !this.t.spaceBefore) {
      this.fail("write the ':' of a ternary with a space after it (`a ? b : c`)");
    }
    this.expectOp(":");
    this.skipNewlines();
    const whenFalse = this.parseTernary(noDo);
    return this.mark({ kind: "if", condition, whenTrue: [whenTrue], whenFalse: [whenFalse], line }, start);
  }

  /** `a..b` and `a...b`. */
  private parseRange(noDo: boolean): RubyNode {
    const start = this.t;
    const from = this.parseOr(noDo);
    if (!this.isOp("..") && !this.isOp("...")) return from;
    const exclusive = this.isOp("...");
    const line = this.t.line;
    this.i++;
    const to = this.parseOr(noDo);
    return this.mark({ kind: "range", from, to, exclusive, line }, start);
  }

  /** A condition (`if x == 1`, `x and not y`): the low-precedence `and`/`or`/`not` are allowed here. */
  private parseCondition(): RubyNode {
    let left = this.parseNotWord();
    while (this.isKeyword("and") || this.isKeyword("or")) {
      const t = this.t as Tok & { name: string };
      this.i++;
      this.skipNewlines();
      const right = this.parseNotWord();
      left = { kind: "logical", op: t.name === "and" ? "&&" : "||", left, right, line: t.line };
    }
    return left;
  }

  private parseNotWord(): RubyNode {
    const t = this.t;
    if (this.isKeyword("not")) {
      this.i++;
      return { kind: "not", operand: this.parseNotWord(), line: t.line };
    }
    return this.parseExpression(false);
  }

  private parseOr(noDo: boolean): RubyNode {
    const start = this.t;
    let left = this.parseAnd(noDo);
    while (this.isOp("||")) {
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      left = this.mark({ kind: "logical", op: "||", left, right: this.parseAnd(noDo), line }, start);
    }
    return left;
  }

  private parseAnd(noDo: boolean): RubyNode {
    const start = this.t;
    let left = this.parseEquality(noDo);
    while (this.isOp("&&")) {
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      left = this.mark({ kind: "logical", op: "&&", left, right: this.parseEquality(noDo), line }, start);
    }
    return left;
  }

  private isAnyOp(ops: readonly string[]): string | undefined {
    const t = this.t;
    return t.type === "op" && ops.includes(t.value) ? t.value : undefined;
  }

  private parseEquality(noDo: boolean): RubyNode {
    const start = this.t;
    const ops = ["==", "!=", "<=>", "=~", "!~"];
    const left = this.parseComparison(noDo);
    const op = this.isAnyOp(ops) as BinaryOperator | undefined;
    if (op) {
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      const right = this.parseComparison(noDo);
      if (this.isAnyOp(ops)) this.fail(`chained comparisons are not part of ${this.language}`);
      return this.mark({ kind: "binary", op, left, right, line }, start);
    }
    return left;
  }

  private parseComparison(noDo: boolean): RubyNode {
    const start = this.t;
    let left = this.parseBitOr(noDo);
    for (let op = this.isAnyOp(["<", ">", "<=", ">="]); op; op = this.isAnyOp(["<", ">", "<=", ">="])) {
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      const right = this.parseBitOr(noDo);
      left = this.mark({ kind: "binary", op: op as BinaryOperator, left, right, line }, start);
    }
    return left;
  }

  /** `a | b` (set union of Arrays), below `a & b`. */
  private parseBitOr(noDo: boolean): RubyNode {
    const start = this.t;
    let left = this.parseBitAnd(noDo);
    while (this.isOp("|")) {
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      left = this.mark({ kind: "binary", op: "|", left, right: this.parseBitAnd(noDo), line }, start);
    }
    return left;
  }

  private parseBitAnd(noDo: boolean): RubyNode {
    const start = this.t;
    let left = this.parseAdditive(noDo);
    while (this.isOp("&")) {
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      left = this.mark({ kind: "binary", op: "&", left, right: this.parseAdditive(noDo), line }, start);
    }
    return left;
  }

  private parseAdditive(noDo: boolean): RubyNode {
    const start = this.t;
    let left = this.parseMultiplicative(noDo);
    while (
      (this.isOp("+") || this.isOp("-")) &&
      !(this.t.spaceBefore && !this.peek().spaceBefore && left.kind === "ident")
    ) {
      const op = (this.t as { value: "+" | "-" }).value;
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      const right = this.parseMultiplicative(noDo);
      left = this.mark({ kind: "binary", op, left, right, line }, start);
    }
    this.refuseOperator();
    return left;
  }

  private parseMultiplicative(noDo: boolean): RubyNode {
    const start = this.t;
    let left = this.parsePower(noDo);
    for (let op = this.isAnyOp(["*", "/", "%"]); op; op = this.isAnyOp(["*", "/", "%"])) {
      const line = this.t.line;
      this.i++;
      this.skipNewlines();
      const right = this.parsePower(noDo);
      left = this.mark({ kind: "binary", op: op as BinaryOperator, left, right, line }, start);
    }
    return left;
  }

  /** `a ** b`: binds tighter than unary minus on its left, right-associative. */
  private parsePower(noDo: boolean): RubyNode {
    const start = this.t;
    const left = this.parseUnary(noDo);
    if (!this.isOp("**")) return left;
    const line = this.t.line;
    this.i++;
    this.skipNewlines();
    const right = this.parsePower(noDo);
    if (
      left.kind === "literal" &&
      (typeof left.value === "number" || typeof left.value === "bigint") &&
      left.value < 0
    ) {
      // -2 ** 2 is -(2 ** 2) in Ruby.
      const base: RubyNode = { ...left, value: -left.value };
      const power = this.mark({ kind: "binary", op: "**", left: base, right, line }, start);
      return this.mark({ kind: "unary", op: "-", operand: power, line }, start);
    }
    return this.mark({ kind: "binary", op: "**", left, right, line }, start);
  }

  private refuseOperator(): void {
    const t = this.t;
    if (t.type !== "op") return;
    if (["===", "<<", ">>", "^"].includes(t.value)) {
      this.fail(`the operator '${t.value}' is not part of ${this.language}`);
    }
    if (t.value.endsWith("=") && !["=>", "==", "!=", "<=", ">="].includes(t.value) && t.value.length > 1) {
      this.fail(`the operator '${t.value}' is not part of ${this.language}`);
    }
  }

  private parseUnary(noDo: boolean): RubyNode {
    const t = this.t;
    if (this.isOp("-") || this.isOp("+")) {
      this.i++;
      const operand = this.parseUnary(noDo);
      const op = (t as { value: "-" | "+" }).value;
      if (operand.kind === "literal") {
        const v = operand.value;
        if (typeof v === "number" || typeof v === "bigint") {
          return { kind: "literal", value: op === "-" ? -v : v, line: t.line };
        }
        if (v !== null && typeof v === "object" && "float" in v) {
          return { kind: "literal", value: { float: op === "-" ? -v.float : v.float }, line: t.line };
        }
      }
      return this.mark({ kind: "unary", op, operand, line: t.line }, t);
    }
    if (this.isOp("!")) {
      this.i++;
      return this.mark({ kind: "not", operand: this.parseUnary(noDo), line: t.line }, t);
    }
    if (this.isOp("~")) this.fail(`the operator '~' is not part of ${this.language}`);
    return this.parsePostfix(this.mark(this.parsePrimary(noDo), t), noDo, t);
  }

  private parsePostfix(node: RubyNode, noDo: boolean, start: Tok): RubyNode {
    let current = node;
    for (;;) {
      const t = this.t;
      if (this.isOp(".") || this.isOp("&.")) {
        const safe = this.isOp("&.");
        this.i++;
        this.skipNewlines();
        const name = this.t;
        if (name.type !== "ident" && name.type !== "const" && name.type !== "keyword") {
          this.fail(`expected a method name after '.', found ${describe(name)}`);
        }
        this.i++;
        const call: RubyNode = {
          kind: "call",
          receiver: current,
          name: name.name,
          args: [],
          line: name.line,
        };
        if (safe) call.safe = true;
        if (this.isOp("(") && !this.t.spaceBefore) {
          this.i++;
          call.args = this.parseArguments(")");
        }
        this.attachBlock(call, noDo);
        current = this.mark(call, start);
        continue;
      }
      if (this.isOp("[") && !t.spaceBefore) {
        this.i++;
        const args = this.parseArguments("]");
        current = this.mark({ kind: "index", target: current, args, line: t.line }, start);
        continue;
      }
      if (this.isOp("::")) this.fail(`constants and '::' are not part of ${this.language}`);
      return current;
    }
  }

  private attachBlock(call: RubyNode & { kind: "call" }, noDo: boolean): void {
    if (this.isOp("{")) call.block = this.parseBlock();
    else if (!noDo && this.isKeyword("do")) call.block = this.parseBlock();
  }

  private parseString(first: Tok & { type: "string" }): RubyNode {
    const parts: (string | RubyNode)[] = [...this.interpolate(first.parts)];
    this.i++;
    // "a" "b" is one string in Ruby.
    while (this.t.type === "string") {
      const next = this.t as Tok & { type: "string" };
      parts.push(...this.interpolate(next.parts));
      this.i++;
    }
    return { kind: "str", parts, line: first.line };
  }

  private interpolate(parts: StringPart[]): (string | RubyNode)[] {
    return parts.map((p) => {
      if (typeof p === "string") return p;
      const tokens = tokenizeRuby(p.code, this.file, { language: this.language }).map((tok) => ({
        ...tok,
        line: tok.line + p.line - 1,
        ...(tok.line === 1 && tok.column !== undefined && p.column !== undefined
          ? { column: tok.column + p.column - 1 }
          : {}),
      }));
      const body = new Parser(tokens, this.file, p.code, this.options, this.scopes).parseStatements(
        (tok) => tok.type === "eof",
      );
      return { kind: "seq", body, line: p.line } as RubyNode;
    });
  }

  private parsePrimary(noDo: boolean): RubyNode {
    const t = this.t;
    const line = t.line;
    switch (t.type) {
      case "int":
        this.i++;
        return { kind: "literal", value: t.value, line };
      case "float":
        this.i++;
        return { kind: "literal", value: { float: t.value }, line };
      case "symbol":
        this.i++;
        return { kind: "literal", value: { symbol: t.name }, line };
      case "regexp":
        this.i++;
        return { kind: "literal", value: { regexp: t.source, options: t.options }, line };
      case "string":
        return this.parseString(t);
      case "dsym":
        this.i++;
        return { kind: "dsym", parts: this.interpolate(t.parts), line };
      case "words":
        this.i++;
        return { kind: "words", words: t.words, symbols: t.symbols, line };
      case "keyword":
        if (t.name === "true" || t.name === "false") {
          this.i++;
          return { kind: "literal", value: t.name === "true", line };
        }
        if (t.name === "nil") {
          this.i++;
          return { kind: "literal", value: null, line };
        }
        if (t.name === "if" || t.name === "unless") return this.parseIf();
        if (t.name === "not") {
          this.i++;
          return { kind: "not", operand: this.parseExpression(noDo), line };
        }
        if (!UNSUPPORTED_KEYWORDS[t.name]) this.fail(`unexpected '${t.name}'`);
        this.fail(
          `${UNSUPPORTED_KEYWORDS[t.name]} ${t.name === "self" ? "is" : "are"} not part of ${this.language}`,
        );
        break;
      case "ident": {
        this.i++;
        if (this.isOp("(") && !this.t.spaceBefore) {
          this.i++;
          const call: RubyNode = { kind: "call", name: t.name, args: this.parseArguments(")"), line };
          this.attachBlock(call, noDo);
          return call;
        }
        if (this.isLocal(t.name)) return { kind: "ident", name: t.name, line };
        if (this.isOp("{") || (!noDo && this.isKeyword("do"))) {
          const call: RubyNode = { kind: "call", name: t.name, args: [], line };
          this.attachBlock(call, noDo);
          return call;
        }
        return { kind: "ident", name: t.name, line };
      }
      case "const":
        this.fail(`constants (${t.name}) are not part of ${this.language}`);
        break;
      case "variable":
        this.fail(`variables like ${t.name} are not part of ${this.language}`);
        break;
      case "label":
        this.fail(`unexpected label '${t.name}:' (key: value pairs belong in a hash or an argument list)`);
        break;
      case "op":
        if (t.value === "[") return this.parseArray();
        if (t.value === "{") return this.parseHash();
        if (t.value === "(") {
          this.i++;
          const body = this.parseStatements((tok) => this.isOp(")", tok));
          this.i++;
          if (body.length === 0) return { kind: "literal", value: null, line };
          return body.length === 1 ? (body[0] as RubyNode) : { kind: "seq", body, line };
        }
        if (t.value === "->") this.fail(`lambdas are not part of ${this.language}`);
        break;
      default:
        break;
    }
    return this.fail(`unexpected ${describe(t)}`);
  }

  /** `if c … elsif c … else … end` and `unless c … else … end`. */
  private parseIf(): RubyNode {
    const start = this.t as Tok & { name: string };
    this.i++;
    const condition = this.parseCondition();
    if (this.isKeyword("then")) this.i++;
    const isBranchEnd = (t: Tok) =>
      this.isKeyword("elsif", t) || this.isKeyword("else", t) || this.isKeyword("end", t);
    const then = this.parseStatements(isBranchEnd);
    let otherwise: RubyNode[] = [];
    if (this.isKeyword("elsif")) {
      if (start.name === "unless") this.fail("unless has no elsif");
      // The elsif chain ends with the one `end`, which the innermost branch consumes.
      return { kind: "if", condition, whenTrue: then, whenFalse: [this.parseIf()], line: start.line };
    }
    if (this.isKeyword("else")) {
      this.i++;
      otherwise = this.parseStatements((t) => this.isKeyword("end", t));
    }
    this.i++;
    return start.name !== "unless"
      ? { kind: "if", condition, whenTrue: then, whenFalse: otherwise, line: start.line }
      : { kind: "if", condition, whenTrue: otherwise, whenFalse: then, line: start.line };
  }

  private parseArray(): RubyNode {
    const line = this.t.line;
    this.i++;
    const items = this.parseArguments("]");
    return { kind: "array", items, line };
  }

  private parseHash(): RubyNode {
    const line = this.t.line;
    this.i++;
    const pairs: [RubyNode, RubyNode][] = [];
    for (;;) {
      this.skipNewlines();
      if (this.isOp("}")) break;
      const t = this.t;
      let key: RubyNode;
      if (t.type === "label") {
        this.i++;
        key = { kind: "literal", value: { symbol: t.name }, line: t.line };
      } else {
        key = this.parseExpression(false);
        this.skipNewlines();
        this.expectOp("=>");
      }
      this.skipNewlines();
      pairs.push([key, this.parseExpression(false)]);
      this.skipNewlines();
      if (this.isOp(",")) {
        this.i++;
        continue;
      }
      this.skipNewlines();
      if (!this.isOp("}")) this.fail(`expected ',' or '}' in a hash, found ${describe(this.t)}`);
    }
    this.i++;
    return { kind: "hash", pairs, line };
  }
}

/**
 * Parses DDL source into statements.
 * @throws DdlDefinitionError (`file:line: …`) on syntax outside the DDL subset
 */
export function parseRuby(source: string, file = "(ddl)", options: RubyParseOptions = {}): RubyNode[] {
  return new Parser(tokenizeRuby(source, file, options), file, source, options).parseProgram();
}
