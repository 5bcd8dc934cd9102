/**
 * @phobos/testing: one conformance suite per plugin type, for plugin
 * authors to run from their own tests (unstorage's idea: every driver runs
 * the same suite). Each `describe<Type>Plugin(options)` registers vitest
 * tests; each `<type>Checks(options)` returns the same checks as data.
 *
 *   import { describeFactsPlugin } from "@phobos/testing";
 *   import facts from "./facts.js";
 *   describeFactsPlugin({ definition: facts, settings: { "": "./test/facts.yaml" } });
 *
 */

export { isRunning, processGone, writeHangingCommand } from "@phobos/server";
export * from "./agent.js";
export * from "./agent-caller.js";
export * from "./aggregate.js";
export * from "./audit.js";
export * from "./authorization.js";
export { type Check, ConformanceError } from "./check.js";
export * from "./connector.js";
export * from "./data.js";
export * from "./discovery.js";
export { eventually } from "./eventually.js";
export * from "./facts.js";
export {
  createStubServices,
  DEFAULT_IDENTITY,
  type OpenPlugin,
  openPlugin,
  type SuiteOptions,
  withPlugin,
} from "./harness.js";
export * from "./register.js";
export * from "./registration.js";
export * from "./security.js";
export * from "./validator.js";
