import type { RubyValue } from "@phobos/core";
import { emitDocument } from "./emitter.js";
import { represent } from "./represent.js";

export { loadYaml, YamlLoadError } from "./load.js";
export { YamlRepresentError } from "./represent.js";

/** Ruby's `YAML.dump(value)` (Psych 4 on libyaml 0.2.5), byte for byte. */
export function dumpYaml(value: RubyValue): string {
  return emitDocument(represent(value));
}
