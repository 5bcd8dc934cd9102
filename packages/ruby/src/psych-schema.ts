/**
 * A js-yaml schema that reads plain scalars the way Ruby's Psych does
 * (./psych-scalar.ts), for code that loads YAML a Ruby program wrote or will
 * read: YAML 1.1 tags stay available when written explicitly (`!!int 1`), but
 * no longer guess what an untagged plain scalar is.
 */
import {
  boolYaml11Tag,
  defineScalarTag,
  floatYaml11Tag,
  intYaml11Tag,
  NOT_RESOLVED,
  nullYaml11Tag,
  type ScalarTagDefinition,
  type Schema,
  timestampTag,
  YAML11_SCHEMA,
} from "js-yaml";
import { type PsychToken, psychTokenize } from "./psych-scalar.js";

/** The YAML 1.1 tag, still there for an explicit `!!int`, no longer guessing plain scalars. */
const explicitOnly = <T>(tag: ScalarTagDefinition<T>) =>
  defineScalarTag(tag.tagName, { resolve: tag.resolve, identify: tag.identify, implicit: false });

/**
 * YAML 1.1 with Psych's plain scalars, merge keys and aliases included.
 * @param value what the caller's program makes of a Psych token (a String
 *   token is always the text itself); it may throw, e.g. for a Time that
 *   `YAML.safe_load` refuses.
 */
export function psychSchema(
  value: (token: Exclude<PsychToken, { type: "string" }>, text: string) => unknown,
): Schema {
  const plain = defineScalarTag("tag:phobos,2026:psych-plain", {
    implicit: true,
    implicitFirstChars: null,
    resolve: (source) => {
      const token = psychTokenize(source);
      return token.type === "string" ? NOT_RESOLVED : value(token, source);
    },
    identify: () => false,
  });
  return YAML11_SCHEMA.withTags(
    explicitOnly(nullYaml11Tag),
    explicitOnly(boolYaml11Tag),
    explicitOnly(intYaml11Tag),
    explicitOnly(floatYaml11Tag),
    explicitOnly(timestampTag),
    plain,
  );
}
