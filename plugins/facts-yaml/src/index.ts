export { default as yamlFacts } from "./facts.js";
