export { ageSeconds, formatAge } from "./age.js";
export { default as registryApplication } from "./application.js";
export {
  type CheckedNode,
  type CheckResult,
  CRITICAL,
  evaluateRegistry,
  OK,
  type Thresholds,
  UNKNOWN,
  WARNING,
} from "./check/evaluate.js";
export { inventoryUpdate } from "./inventory-update.js";
export { listText, nodeJson } from "./list.js";
