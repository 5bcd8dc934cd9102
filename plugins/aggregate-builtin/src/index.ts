export { default as averageAggregate } from "./average.js";
export { default as sumAggregate } from "./sum.js";
export { default as summaryAggregate } from "./summary.js";
