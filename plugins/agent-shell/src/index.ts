export {
  type Account,
  default as shellAgent,
  lookupAccount,
  readShellSettings,
  runShellCommand,
  type ShellSettings,
} from "./agent.js";
export { default as shellApplication, nodeBlock, parseShellArguments } from "./application.js";
export { commandArgv, commandLine } from "./command-line.js";
export { default as shellDdl } from "./ddl.js";
