/**
 * @phobos/ruby/psych: YAML read as Ruby's Psych reads it. A subpath of its
 * own because the schema needs js-yaml, ~130 KB that every `mco` command
 * would otherwise load and evaluate; only the code that reads YAML (the yaml
 * facts source, the puppet agent, ssl security) imports it. What a plain
 * scalar means to Psych (`psychTokenize`) needs no YAML parser and stays in
 * the package's main entry.
 */
export { psychSchema } from "./psych-schema.js";
