/**
 * `plugin.ssl_serializer`: how envelopes and payloads become bytes. Marshal
 * (MCollective's default) carries `:body` as a binary String; YAML carries it
 * as text, which Psych writes as a `|` block.
 */
import { dump, load, type RubyValue } from "@phobos/core";
import { dumpYaml, loadYaml } from "./yaml/index.js";

export interface Serializer {
  readonly name: "marshal" | "yaml";
  dump(value: RubyValue): Uint8Array;
  load(bytes: Uint8Array): RubyValue;
  /** The serialized payload as the envelope's `:body` holds it. */
  bodyValue(bytes: Uint8Array): RubyValue;
}

const marshal: Serializer = {
  name: "marshal",
  dump: (value) => dump(value),
  load: (bytes) => load(bytes),
  bodyValue: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

const yaml: Serializer = {
  name: "yaml",
  dump: (value) => Buffer.from(dumpYaml(value), "utf8"),
  load: (bytes) => {
    const text = utf8.decode(bytes);
    // Psych ends every document with a line break: text without one was cut short.
    if (!text.endsWith("\n"))
      throw new Error("the YAML text does not end with a line break: it was cut short");
    return loadYaml(text);
  },
  bodyValue: (bytes) => utf8.decode(bytes),
};

export function serializerFor(name: string): Serializer | undefined {
  if (name === "marshal") return marshal;
  if (name === "yaml") return yaml;
  return undefined;
}
