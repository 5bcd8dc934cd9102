import type { ActionRequest, AgentDdl, RpcReply, ValidatorLookup } from "@phobos/core";
import { defaultOutputs, isDdl, RpcError, setDefaultInputs, validateRpcRequest } from "@phobos/core";
import { type Check, ensure, errorText, fail, show } from "./check.js";
import { ddlCheck } from "./ddl-checks.js";
import { DEFAULT_IDENTITY, definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";

/** One run of an action: DDL-valid inputs and, optionally, the status code it should end with. */
export interface AgentSample {
  data: Record<string, unknown>;
  statuscode?: number;
}

export interface AgentSuiteOptions extends SuiteOptions<"agent"> {
  ddl: AgentDdl;
  /** Per action, inputs to run it with (services come from `services`). */
  samples?: Record<string, AgentSample | AgentSample[]>;
  /** Validator plugins the DDL names beyond the built-in ones (`:validation => :package_name`). */
  validators?: ValidatorLookup;
}

/**
 * The agent contract: its DDL and its handlers describe the same actions,
 * and an action run on valid inputs ends with a wire status code (0–5) and
 * only the outputs its DDL declares; a failure is `reply.fail()` or a thrown
 * RpcError, never any other exception.
 */
export function agentChecks(options: AgentSuiteOptions): Check[] {
  const { ddl } = options;
  const ddlActions = isDdl(ddl, "agent") ? Object.keys(ddl.actions) : [];
  const checks: Check[] = [
    ...definitionChecks("agent", options, "server"),
    ddlCheck(ddl, "agent"),
    {
      name: "every DDL action has a handler",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          const missing = ddlActions.filter((action) => typeof instance.actions[action] !== "function");
          ensure(missing.length === 0, `no handler for DDL action(s) ${missing.join(", ")}`);
        }),
    },
    {
      name: "every handler has a DDL action",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          const extra = Object.keys(instance.actions).filter((action) => !ddlActions.includes(action));
          ensure(
            extra.length === 0,
            `handler(s) ${extra.join(", ")} have no DDL action: mco cannot call them (add them to the DDL)`,
          );
        }),
    },
  ];
  const samples = Object.entries(options.samples ?? {}).flatMap(([action, value]) =>
    (Array.isArray(value) ? value : [value]).map((sample, i, all) => ({
      action,
      sample,
      label: all.length > 1 ? ` #${i + 1}` : "",
    })),
  );
  // An agent without actions (discovery answers its raw payload) has nothing to sample.
  if (samples.length === 0 && ddlActions.length > 0) {
    checks.push({
      name: "actions run on sample inputs",
      skip: "pass `samples` to run actions",
      run: async () => {},
    });
  }
  for (const { action, sample, label } of samples) {
    checks.push({
      name: `action '${action}'${label} replies with a status code and its declared outputs`,
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          ensure(isDdl(ddl, "agent"), "the DDL is not a valid agent DDL (see that check)");
          const spec = ddl.actions[action];
          ensure(spec, `the sample is for '${action}', which the DDL does not declare`);
          try {
            // The engines' own validation: what mco would refuse to send is the sample's fault.
            validateRpcRequest(ddl, action, sample.data, options.validators);
          } catch (err) {
            fail(`the sample inputs are not valid for the DDL: ${errorText(err)}`, { cause: err });
          }
          const handler = instance.actions[action];
          ensure(typeof handler === "function", `no handler for '${action}'`);
          const request = requestFor(options.definition.name, ddl, action, sample.data);
          const reply = replyFor(ddl, action);
          try {
            await handler(request, reply);
          } catch (err) {
            // What the engine would do with it: an RpcError is a status code, anything else a crash.
            if (!(err instanceof RpcError)) {
              fail(`the action threw ${errorText(err)}: report failures with reply.fail() or an RpcError`, {
                cause: err,
              });
            }
            reply.statuscode = err.statuscode;
            reply.statusmsg = err.message;
          }
          ensure(
            Number.isInteger(reply.statuscode) && reply.statuscode >= 0 && reply.statuscode <= 5,
            `statuscode ${show(reply.statuscode)} is not a wire status code 0–5`,
          );
          ensure(typeof reply.statusmsg === "string", `statusmsg ${show(reply.statusmsg)} is not a string`);
          if (sample.statuscode !== undefined) {
            ensure(
              reply.statuscode === sample.statuscode,
              `ended with statuscode ${reply.statuscode} (${reply.statusmsg}), expected ${sample.statuscode}`,
            );
          }
          const declared = Object.keys(spec.output);
          const undeclared = Object.keys(reply.data).filter((key) => !declared.includes(key));
          ensure(
            undeclared.length === 0,
            `reply data has undeclared output(s) ${undeclared.join(", ")} (declared: ${declared.join(", ") || "none"})`,
          );
        }),
    });
  }
  return checks;
}

export function describeAgentPlugin(options: AgentSuiteOptions): void {
  describeChecks(`agent plugin '${options.definition.name}' conformance`, agentChecks(options));
}

/** As mco sends it: MCollective's defaults rule applied (required inputs only). */
function requestFor(
  agent: string,
  ddl: AgentDdl,
  action: string,
  data: Record<string, unknown>,
): ActionRequest {
  return {
    signal: new AbortController().signal,
    agent,
    action,
    data: setDefaultInputs(ddl, action, { ...data }),
    sender: DEFAULT_IDENTITY,
    caller: "uid=500",
    requestid: "5f0e7c1b9a3d4e2f8a6b1c0d9e8f7a6b",
    time: Math.floor(Date.now() / 1000),
  };
}

/** As the daemon builds it: every declared output present, at its DDL default (or null). */
function replyFor(ddl: AgentDdl, action: string): RpcReply {
  const reply: RpcReply = {
    data: defaultOutputs(ddl, action),
    statuscode: 0,
    statusmsg: "OK",
    fail(message: string, statuscode = 1) {
      reply.statuscode = statuscode;
      reply.statusmsg = message;
    },
  };
  return reply;
}
