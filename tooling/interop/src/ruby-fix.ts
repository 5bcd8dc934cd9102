/**
 * The one fix Debian's MCollective 2.12.5 needs on Ruby 3.1 (see wire/README.md).
 *
 * MCollective calls `YAML.safe_load` with positional arguments, which Psych 4 rejects
 * with ArgumentError. In yaml_facts.rb the error is caught and logged, so a daemon runs
 * with no facts at all (fact filters match nothing, inventory says "No facts known"); in
 * the security plugins it breaks `ssl_serializer = yaml`. The packaged files stay
 * untouched: patched copies go into a directory on the peer's `libdir`, which
 * MCollective puts ahead of Ruby's own load path. The copies are made from the installed
 * files at run time, and each rewrite must find the exact call it replaces, so a Debian
 * update cannot silently turn the fix into a stale copy of older code.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEBIAN_RUBY_LIB } from "./reference-environment.js";

export interface RubyFixPatch {
  /** Path under the Ruby library root, as MCollective `require`s it. */
  readonly file: string;
  /** The exact call in Debian's 2.12.5 file. */
  readonly find: string;
  /** The same call with Psych 4's keyword arguments. */
  readonly replace: string;
}

/**
 * Each positional argument becomes its keyword, no more: yaml_facts passed
 * `(classes, symbols, aliases)`; the security plugins passed only the classes, so they
 * keep Psych's default of rejecting aliases, as on the Rubies MCollective was written for.
 */
export const RUBY_FIX_PATCHES: readonly RubyFixPatch[] = [
  {
    file: "mcollective/facts/yaml_facts.rb",
    find: "YAML.safe_load(File.read(file), [Symbol], [], true)",
    replace:
      "YAML.safe_load(File.read(file), permitted_classes: [Symbol], permitted_symbols: [], aliases: true)",
  },
  {
    file: "mcollective/security/ssl.rb",
    find: "YAML.safe_load(msg, [Symbol, Regexp])",
    replace: "YAML.safe_load(msg, permitted_classes: [Symbol, Regexp])",
  },
  {
    file: "mcollective/security/aes_security.rb",
    find: "YAML.safe_load(msg, [Symbol, Regexp])",
    replace: "YAML.safe_load(msg, permitted_classes: [Symbol, Regexp])",
  },
];

export class RubyFixError extends Error {
  readonly file: string;

  constructor(file: string, message: string) {
    super(`ruby-fix: ${file}: ${message}`);
    this.name = "RubyFixError";
    this.file = file;
  }
}

/** `YAML.safe_load(<one argument>, [` — a positional second argument, in any spelling. */
const POSITIONAL_SAFE_LOAD = /\bsafe_load\s*\(\s*(?:[^,()]|\([^()]*\))+,\s*\[/;

/**
 * Rewrites one file's source. Throws if the expected call is not there exactly once, or
 * if a positional `safe_load` call is left afterwards.
 */
export function applyRubyFix(source: string, patch: RubyFixPatch, origin = patch.file): string {
  const count = source.split(patch.find).length - 1;
  if (count !== 1) {
    throw new RubyFixError(
      origin,
      `expected the call \`${patch.find}\` exactly once, found it ${count} times. ` +
        "Debian's MCollective has changed: check whether Ruby 3.1 still needs the fix and update ruby-fix.ts.",
    );
  }
  const patched = source.replace(patch.find, () => patch.replace);
  const left = POSITIONAL_SAFE_LOAD.exec(patched);
  if (left !== null) {
    throw new RubyFixError(
      origin,
      `a positional YAML.safe_load call is left after the rewrite: \`${left[0]}…\``,
    );
  }
  // Appended rather than prepended: line numbers in the peer's logs and backtraces stay
  // those of the packaged file.
  return `${patched.replace(/\n*$/, "\n")}# Patched copy of ${origin}, written by @phobos/interop (ruby-fix.ts): YAML.safe_load keyword arguments for Ruby 3.1's Psych 4.\n`;
}

/**
 * Writes the patched copies under `dir` (`dir/mcollective/facts/yaml_facts.rb`, …) and
 * returns `dir`, ready to go first in a `libdir`.
 */
export async function writeRubyFix(dir: string, options: { rubyLib?: string } = {}): Promise<string> {
  const rubyLib = options.rubyLib ?? DEBIAN_RUBY_LIB;
  await Promise.all(
    RUBY_FIX_PATCHES.map(async (patch) => {
      const origin = join(rubyLib, patch.file);
      let source: string;
      try {
        source = await readFile(origin, "utf8");
      } catch (error) {
        throw new RubyFixError(origin, `cannot read the installed file: ${(error as Error).message}`);
      }
      const target = join(dir, patch.file);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, applyRubyFix(source, patch, origin));
    }),
  );
  return dir;
}
