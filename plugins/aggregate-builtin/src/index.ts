export { default as averageAggregate } from "./aggregates/average.js";
export { default as sumAggregate } from "./aggregates/sum.js";
export { default as summaryAggregate } from "./aggregates/summary.js";
