/**
 * The representation tree between Ruby values and YAML text, as Psych builds
 * it for libyaml: each scalar carries the style Psych asked for and whether
 * it may be read back without a tag (libyaml's plain/quoted "implicit"
 * flags); collections are block style, as Psych's always are.
 */
export type ScalarStyle = "any" | "plain" | "single" | "double" | "literal" | "folded";

export interface ScalarNode {
  kind: "scalar";
  value: string;
  /** A full tag (`tag:yaml.org,2002:null`, `!binary`), or none. */
  tag?: string;
  plainImplicit: boolean;
  quotedImplicit: boolean;
  style: ScalarStyle;
}

export interface SequenceNode {
  kind: "sequence";
  items: YamlNode[];
}

export interface MappingNode {
  kind: "mapping";
  pairs: [YamlNode, YamlNode][];
}

export type YamlNode = ScalarNode | SequenceNode | MappingNode;
