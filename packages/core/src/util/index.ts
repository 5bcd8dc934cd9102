export * from "./ruby-format.js";
