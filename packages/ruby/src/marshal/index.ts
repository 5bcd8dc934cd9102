export { dump } from "./dump.js";
export { decodeText } from "./encodings.js";
export { type InspectOptions, inspect } from "./inspect.js";
export { MAX_NESTING } from "./limits.js";
export { type LoadOptions, load } from "./load.js";
export { asString, type FromNaturalOptions, fromNatural, hashGet, toNatural } from "./natural.js";
export * from "./types.js";
