export { type ColorCode, type Colorize, colorizer } from "./color.js";
export { fieldNumber, fieldSize, inGroupsOf, ljust, rjust } from "./columns.js";
export { prettyInspect } from "./pretty-inspect.js";
export { Progress } from "./progress.js";
export {
  displayed,
  oldRpcResults,
  printrpcText,
  type RpcResultsOptions,
  resultJsonValue,
  rpcResults,
  textForResult,
} from "./rpc-results.js";
export { RubyJsonError, rubyJson } from "./ruby-json.js";
export {
  aggregatesText,
  aggregateText,
  nodeListReport,
  printrpcstatsText,
  type StatsReportOptions,
  statsReport,
} from "./stats-report.js";
