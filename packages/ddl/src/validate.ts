/**
 * Checking requests against a DDL, the way MCollective's client does before
 * sending and its daemon does again before running an action: unknown
 * action, missing required input, then each input present validated by its
 * type, in declaration order, first failure wins. Failures are
 * DdlValidationError (wire status 4) with MCollective's messages.
 *
 * Also here: the request defaults the client fills in, the reply data the
 * daemon pre-fills, the data-plugin query checks, and how `mco rpc` turns
 * `key=value` text into typed inputs.
 */
import { DdlValidationError } from "@phobos/errors";
import { deepCopy, setOwn } from "./plain-data.js";
import { stringToBoolean, stringToNumber } from "./typed-strings.js";
import type { AgentDdl, DataDdl, DdlAction, DdlInput } from "./types.js";
import { array, length, typecheck, type ValidatorLookup, validateValue } from "./validators.js";

function actionOf(ddl: AgentDdl, action: string): DdlAction | undefined {
  return Object.hasOwn(ddl.actions, action) ? ddl.actions[action] : undefined;
}

function isPresent(data: Record<string, unknown>, key: string): boolean {
  // A key holding `undefined` is how JS spells "not given"; Ruby has no such value.
  return Object.hasOwn(data, key) && data[key] !== undefined;
}

/**
 * `validate_input_argument`: a string is typechecked, length-checked and
 * validated; a list must hold the value; anything else is typechecked.
 * @throws DdlValidationError "Cannot validate input fact: value should be a string"
 */
export function validateInput(name: string, input: DdlInput, value: unknown, lookup?: ValidatorLookup): void {
  try {
    switch (input.type) {
      case "string":
        typecheck(value, "string");
        length(value, input.maxlength ?? 0);
        validateValue(value, input.validation, lookup);
        break;
      case "list":
        array(value, input.list ?? []);
        break;
      default:
        typecheck(value, input.type);
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DdlValidationError(`Cannot validate input ${name}: ${why}`, { cause: e });
  }
}

/**
 * `AgentDDL#validate_rpc_request`.
 * @throws DdlValidationError for an undeclared action, a missing required input or an invalid one
 */
export function validateRpcRequest(
  ddl: AgentDdl,
  action: string,
  data: Record<string, unknown>,
  lookup?: ValidatorLookup,
): true {
  const interface_ = actionOf(ddl, action);
  if (!interface_) {
    throw new DdlValidationError(
      `Attempted to call action ${action} for ${ddl.metadata.name} but it's not declared in the DDL`,
    );
  }
  for (const [key, input] of Object.entries(interface_.input)) {
    const present = isPresent(data, key);
    if (!input.optional && !present) throw new DdlValidationError(`Action ${action} needs a ${key} argument`);
    if (present) validateInput(key, input, data[key], lookup);
  }
  return true;
}

/**
 * `AgentDDL#set_default_input_arguments`, client side only: a missing input
 * gets its default, but only when the input is required (not optional) and
 * the default is not nil. That is MCollective's rule, odd as it is: optional
 * inputs never receive their defaults. Changes `data` in place and returns it.
 */
export function setDefaultInputs(
  ddl: AgentDdl,
  action: string,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const interface_ = actionOf(ddl, action);
  if (!interface_) return data;
  for (const [key, input] of Object.entries(interface_.input)) {
    if (!isPresent(data, key) && input.default !== undefined && input.default !== null && !input.optional) {
      setOwn(data, key, deepCopy(input.default));
    }
  }
  return data;
}

/**
 * `RPC::Reply#initialize_data`: every declared output, set to a copy of its
 * default or null. An undeclared action gives `{}`, as the Ruby reply is
 * left empty (with a warning) in that case.
 */
export function defaultOutputs(ddl: AgentDdl, action: string): Record<string, unknown> {
  const interface_ = actionOf(ddl, action);
  const data: Record<string, unknown> = {};
  if (!interface_) return data;
  for (const [key, output] of Object.entries(interface_.output)) {
    setOwn(data, key, output.default === undefined ? null : deepCopy(output.default));
  }
  return data;
}

/**
 * `Data.ddl_validate`: the argument of `fstat("/etc/hosts")` against the
 * data plugin's `query` input. A nil argument is fine when the input is
 * optional; a plugin without input refuses any argument.
 * @throws DdlValidationError
 */
export function validateDataQuery(ddl: DataDdl, argument: unknown, lookup?: ValidatorLookup): true {
  const name = ddl.metadata.name;
  if (Object.keys(ddl.dataquery.output).length === 0) {
    throw new DdlValidationError(`No output has been defined in the DDL for data plugin ${name}`);
  }
  const query = ddl.dataquery.input.query;
  if (query) {
    if ((argument === null || argument === undefined) && query.optional) return true;
    validateInput("query", query, argument ?? null, lookup);
    return true;
  }
  if (argument !== null && argument !== undefined) {
    throw new DdlValidationError(
      `No data plugin argument was declared in the ${name} DDL but an input was supplied`,
    );
  }
  return true;
}

/**
 * `Data.ddl_transform_input`: the text of a `-S "plugin('arg')"` argument
 * turned into the boolean or number the query input wants. Anything that
 * does not convert is returned unchanged, to fail validation afterwards.
 */
export function transformDataInput(ddl: DataDdl, raw: unknown): unknown {
  const type = ddl.dataquery.input.query?.type;
  if (typeof raw !== "string") return raw;
  try {
    if (type === "boolean") return stringToBoolean(raw);
    if (type === "number" || type === "integer" || type === "float") return stringToNumber(raw);
  } catch {
    return raw;
  }
  return raw;
}

/**
 * `mco rpc agent action key=value`: booleans and numbers are converted as
 * `Application::Rpc#string_to_ddl_type` does; every other type (string,
 * list, hash, array, any) and every key the DDL does not declare stays the
 * string typed.
 * @throws DdlValidationError "yes please does not look like a boolean argument"
 */
export function convertCliArgument(ddl: AgentDdl, action: string, key: string, raw: string): unknown {
  const interface_ = actionOf(ddl, action);
  const input = interface_ && Object.hasOwn(interface_.input, key) ? interface_.input[key] : undefined;
  try {
    switch (input?.type) {
      case "boolean":
        return stringToBoolean(raw);
      case "number":
      case "integer":
      case "float":
        return stringToNumber(raw);
      default:
        return raw;
    }
  } catch (e) {
    throw new DdlValidationError(e instanceof Error ? e.message : String(e), { cause: e });
  }
}
