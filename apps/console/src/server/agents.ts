/**
 * Agents and actions from the DDLs the client finds, as `mco plugin doc`
 * finds them (Phobos's agent packages, JSON and Ruby DDLs in the libdirs),
 * and mco's own validation of a request's inputs, on the server: typed
 * text converted as `mco rpc key=value` converts it, defaults filled in,
 * then every declared input checked by the DDL's rules, each failure in
 * mco's words under the input's name.
 */
import { callableAgents, loadAgentDdl, loadValidatorPlugins } from "@phobos/client";
import {
  type AgentDdl,
  type Config,
  convertCliArgument,
  type DdlAction,
  type Logger,
  type PluginRegistry,
  setDefaultInputs,
  type ValidatorFn,
  validateInput,
  validateRpcRequest,
} from "@phobos/core";
import type {
  ActionJson,
  AgentDdlJson,
  AgentSummary,
  InputJson,
  ValidateResponse,
} from "../shared/api-types.js";
import { HttpError } from "./http-error.js";

function inputJson(input: DdlAction["input"][string]): InputJson {
  const { validation, ...rest } = input;
  const json: InputJson = { ...rest };
  if (validation instanceof RegExp) json.validation = { regex: validation.source, flags: validation.flags };
  else if (validation !== undefined) json.validation = validation;
  return json;
}

function actionJson(action: DdlAction): ActionJson {
  return {
    action: action.action,
    description: action.description,
    display: action.display,
    input: Object.fromEntries(Object.entries(action.input).map(([k, v]) => [k, inputJson(v)])),
    output: Object.fromEntries(
      Object.entries(action.output).map(([k, v]) => [
        k,
        {
          description: v.description,
          display_as: v.display_as,
          ...(v.default !== undefined ? { default: v.default } : {}),
        },
      ]),
    ),
    aggregate: (action.aggregate ?? []).map((a) => ({
      function: a.function,
      args: a.args,
      ...(a.format !== undefined ? { format: a.format } : {}),
    })),
  };
}

export class Agents {
  readonly #validators = new Map<string, ValidatorFn>();

  constructor(
    readonly config: Config,
    readonly registry: PluginRegistry,
    readonly log: Logger,
  ) {}

  async list(): Promise<AgentSummary[]> {
    const agents: AgentSummary[] = [];
    for (const name of callableAgents(this.registry)) {
      try {
        const ddl = await this.registry.loadDdl("agent", name);
        agents.push({
          name,
          description: ddl.metadata.description,
          version: ddl.metadata.version,
          actions: Object.values(ddl.actions).map((a) => ({ name: a.action, description: a.description })),
        });
      } catch (err) {
        // mco plugin doc lists a broken DDL among the errors; the console logs it and goes on.
        this.log.warn(`agent ${name}: its DDL cannot be read: ${(err as Error).message}`);
      }
    }
    return agents;
  }

  async ddl(agent: string): Promise<AgentDdl> {
    try {
      return await loadAgentDdl(this.registry, this.config, agent);
    } catch (err) {
      throw new HttpError(404, (err as Error).message);
    }
  }

  async json(agent: string): Promise<AgentDdlJson> {
    const ddl = await this.ddl(agent);
    return {
      name: agent,
      metadata: ddl.metadata,
      actions: Object.fromEntries(Object.entries(ddl.actions).map(([k, v]) => [k, actionJson(v)])),
    };
  }

  /** mco's checks, every input's failure collected instead of only the first. */
  async validate(agent: string, action: string, given: unknown): Promise<ValidateResponse> {
    if (typeof given !== "object" || given === null || Array.isArray(given)) {
      throw new HttpError(400, "inputs must be an object of input names and values");
    }
    const ddl = await this.ddl(agent);
    const declared = Object.hasOwn(ddl.actions, action) ? ddl.actions[action] : undefined;
    if (!declared) {
      throw new HttpError(
        400,
        `Attempted to call action ${action} for ${agent} but it's not declared in the DDL`,
      );
    }
    const lookup = await loadValidatorPlugins(ddl, action, this, this.#validators);
    const errors: Record<string, string> = {};
    const inputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
      // An empty form field is an input not given, as a missing key=value word is to mco.
      if (value === "" || value === null || value === undefined) continue;
      try {
        inputs[key] = typeof value === "string" ? convertCliArgument(ddl, action, key, value) : value;
      } catch (err) {
        errors[key] = (err as Error).message;
      }
    }
    setDefaultInputs(ddl, action, inputs);
    for (const [key, input] of Object.entries(declared.input)) {
      if (errors[key] !== undefined) continue;
      if (!Object.hasOwn(inputs, key)) {
        if (!input.optional) errors[key] = `Action ${action} needs a ${key} argument`;
        continue;
      }
      try {
        validateInput(key, input, inputs[key], lookup);
      } catch (err) {
        errors[key] = (err as Error).message;
      }
    }
    if (Object.keys(errors).length === 0) {
      // The gate mco itself uses: whatever it refuses is refused here too.
      try {
        validateRpcRequest(ddl, action, inputs, lookup);
      } catch (err) {
        errors[""] = (err as Error).message;
      }
    }
    return { ok: Object.keys(errors).length === 0, errors, inputs };
  }
}
