/**
 * @phobos/core/psych: @phobos/ruby's Psych schema, for plugins that read YAML
 * (they depend on core alone). Kept off core's main entry so that js-yaml is
 * loaded only by the code that reads YAML, not by every `mco` command.
 */
export { psychSchema } from "@phobos/ruby/psych";
