export { alignText } from "./align-text.js";
export {
  type AgentDdlSpec,
  type DataDdlSpec,
  type DataInputSpec,
  DDL_DISPLAYS,
  DDL_INPUT_TYPES,
  type DdlActionSpec,
  type DdlInputSpec,
  type DdlOutputSpec,
  type DefineOptions,
  DISCOVERY_CAPABILITIES,
  type DiscoveryDdlSpec,
  defineAgentDdl,
  defineDataDdl,
  defineDdl,
  defineDiscoveryDdl,
  defineMetadataDdl,
  MCOLLECTIVE_VERSION,
  type MetadataDdlSpec,
} from "./define.js";
export { rubyIpFamily } from "./ip-address.js";
export {
  AGENT_DDL_SCHEMA,
  DATA_DDL_SCHEMA,
  type JsonDdlOptions,
  parseJsonDdl,
  stringifyJsonDdl,
  toJsonDdl,
} from "./json-ddl.js";
export { readDdlFile } from "./read-file.js";
export {
  PLUGIN_DOC_TYPES,
  type PluginListGroup,
  type PluginLoadProblem,
  renderDdlHelp,
  renderPluginList,
} from "./render.js";
export { parseRubyDdl, type RubyDdlOptions } from "./ruby-ddl.js";
export {
  type BlockFn,
  fromRubyValue,
  Interpreter,
  type InterpreterOptions,
  inspect as inspectRValue,
  RFloat,
  RHash,
  RRange,
  RSym,
  type RValue,
  type SelfCall,
  toRubyValue,
  toS as rValueToS,
  truthy as rubyTruthy,
} from "./ruby-eval.js";
export { type RubyToken, tokenizeRuby } from "./ruby-lexer.js";
export { parseRuby, type RubyNode, type RubyParseOptions } from "./ruby-parser.js";
export { stringToBoolean, stringToNumber } from "./typed-strings.js";
export * from "./types.js";
export {
  convertCliArgument,
  defaultOutputs,
  setDefaultInputs,
  transformDataInput,
  validateDataQuery,
  validateInput,
  validateRpcRequest,
} from "./validate.js";
export {
  builtinValidators,
  checkType,
  createValidatorRegistry,
  mcollectiveValidators,
  TYPECHECK_TYPES,
  type Validation,
  type ValidatorFn,
  type ValidatorLookup,
  type ValidatorRegistry,
  validateValue,
} from "./validators.js";
