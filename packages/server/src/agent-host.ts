import type {
  ActionRequest,
  Agent,
  AgentDdl,
  Audit,
  Authorization,
  AuthorizationResult,
  DecodedRequest,
  Logger,
  RpcReply,
  RpcRequest,
  RubyValue,
} from "@phobos/core";
import {
  DdlValidationError,
  defaultOutputs,
  PluginError,
  RpcError,
  RpcStatus,
  RubyString,
  rpcReplyToRuby,
  rpcRequestAction,
  rpcRequestFromRuby,
  setDefaultInputs,
  UnknownRpcActionError,
  UnknownRpcError,
  validateRpcRequest,
} from "@phobos/core";
import type { EventLoopWatch } from "./event-loop-watch.js";
import { runWithCommandSignal } from "./run-command.js";

/** An agent this daemon runs: its code, its DDL, and where it came from. */
export interface HostedAgent {
  name: string;
  instance: Agent;
  ddl: AgentDdl;
}

/**
 * The action a request asks of `agent`, as a metrics label: a name its DDL
 * declares, else `unknown`, so senders cannot grow the label set without
 * bound. A raw agent (discovery) declares no actions: mc discovery's
 * `"ping"`, the one request the protocol defines for it, is labelled `ping`.
 */
export function declaredAction(agent: HostedAgent, body: RubyValue): string {
  if (agent.instance.handleRaw) {
    const text = typeof body === "string" ? body : body instanceof RubyString ? body.toString() : undefined;
    return text === "ping" ? "ping" : "unknown";
  }
  const name = rpcRequestAction(body);
  return name !== undefined && Object.hasOwn(agent.ddl.actions, name) ? name : "unknown";
}

export interface AgentHostOptions {
  log: Logger;
  /** Validator plugins by name, for DDL `validation` that names one. */
  validator: (name: string) => ((value: unknown) => void) | undefined;
  authorization?: Authorization | undefined;
  audit?: Audit | undefined;
  onDenied?: () => void;
  onFailed?: () => void;
  /** Reports actions that block the event loop; the daemon shares one among all its requests. */
  watch?: EventLoopWatch | undefined;
}

class Reply implements RpcReply {
  statuscode: number = RpcStatus.OK;
  statusmsg = "OK";
  constructor(public data: Record<string, unknown>) {}
  fail(message: string, statuscode: number = RpcStatus.ABORTED): void {
    this.statusmsg = message;
    this.statuscode = statuscode;
  }
}

function timeoutAfter(seconds: number, agent: string, action: string, controller: AbortController) {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new UnknownRpcError(`${agent}#${action} did not finish within its ${seconds}s timeout`);
      // The reason travels to the commands the action started: their error says why they were killed.
      controller.abort(error);
      reject(error);
    }, seconds * 1000);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * Starts an action (or a raw handler) under its abort signal: every
 * runCommand it reaches defaults to that signal, and the watch, if any,
 * times its synchronous slice and knows it runs until its promise settles,
 * which may be long after the client was told it timed out.
 */
function invoke<T>(
  label: string,
  signal: AbortSignal,
  watch: EventLoopWatch | undefined,
  call: () => T,
): Promise<Awaited<T>> {
  const run = () => runWithCommandSignal(signal, call);
  if (!watch) return Promise.resolve(run()) as Promise<Awaited<T>>;
  const { result, end } = watch.track(label, run);
  const settled = Promise.resolve(result) as Promise<Awaited<T>>;
  settled.then(end, end);
  return settled;
}

/**
 * Runs one request against one agent with SimpleRPC's policy (RPC::Agent
 * #handlemsg): DDL validation before anything runs, authorization, audit,
 * the action under its DDL timeout, and every failure mapped to a status
 * code in the reply instead of an exception.
 */
export async function runAgentRequest(
  agent: HostedAgent,
  request: DecodedRequest,
  options: AgentHostOptions,
): Promise<RubyValue | undefined> {
  const { log } = options;
  const timeout = agent.ddl.metadata.timeout > 0 ? agent.ddl.metadata.timeout : 10;

  if (agent.instance.handleRaw) {
    const controller = new AbortController();
    const deadline = timeoutAfter(timeout, agent.name, "handleRaw", controller);
    const handleRaw = agent.instance.handleRaw.bind(agent.instance);
    try {
      return await Promise.race([
        invoke(`${agent.name}#handleRaw`, controller.signal, options.watch, () =>
          handleRaw(request.body, request),
        ),
        deadline.promise,
      ]);
    } finally {
      deadline.clear();
    }
  }

  let payload: ReturnType<typeof rpcRequestFromRuby>;
  try {
    payload = rpcRequestFromRuby(request.body);
  } catch (err) {
    const reply = new Reply({});
    reply.fail((err as Error).message, RpcStatus.INVALID_DATA);
    return rpcReplyToRuby(reply);
  }
  const { action, data } = payload;
  const processResults = data.process_results !== false;
  const reply = new Reply(agent.ddl.actions[action] ? defaultOutputs(agent.ddl, action) : {});
  const rpcRequest: RpcRequest = {
    agent: agent.name,
    action,
    data,
    sender: request.senderid,
    caller: request.callerid,
    requestid: request.requestid,
    time: request.msgtime,
  };

  try {
    setDefaultInputs(agent.ddl, action, data);
    validateRpcRequest(agent.ddl, action, data, options.validator);
    let verdict: AuthorizationResult | undefined;
    if (options.authorization) verdict = await options.authorization.authorize(rpcRequest);
    if (options.audit) {
      // Refused requests are audited too: the trail shows every attempt.
      try {
        await options.audit.audit({
          time: new Date(),
          requestid: request.requestid,
          agent: agent.name,
          action,
          caller: request.callerid,
          sender: request.senderid,
          data,
          requestTime: request.msgtime,
          ...(verdict ? { authorization: verdict } : {}),
        });
      } catch (err) {
        log.warn(`Audit failed - ${(err as Error).message} - continuing to process message`);
      }
    }
    if (verdict && !verdict.allowed) {
      options.onDenied?.();
      log.warn(`Denying ${request.callerid} access to ${agent.name}#${action}: ${verdict.reason}`);
      throw new RpcError(RpcStatus.ABORTED, verdict.reason);
    }
    const handler = agent.instance.actions[action];
    if (!handler) throw new UnknownRpcActionError(`Unknown action '${action}' for agent '${agent.name}'`);
    const controller = new AbortController();
    const deadline = timeoutAfter(timeout, agent.name, action, controller);
    const actionRequest: ActionRequest = { ...rpcRequest, signal: controller.signal };
    try {
      // An action that ignores its signal runs on, but the client hears status 5 at the deadline.
      await Promise.race([
        invoke(`${agent.name}#${action}`, controller.signal, options.watch, () =>
          handler.call(agent.instance.actions, actionRequest, reply),
        ),
        deadline.promise,
      ]);
    } finally {
      deadline.clear();
    }
  } catch (err) {
    if (err instanceof DdlValidationError || err instanceof RpcError) {
      reply.fail(err.message, err.statuscode);
      if (err.statuscode === RpcStatus.UNKNOWN_ERROR) {
        options.onFailed?.();
        log.error(`${agent.name}#${action} failed: ${err.message}`);
      }
    } else {
      options.onFailed?.();
      // The client sees what the action threw, as MCollective sent `e.to_s`; core's
      // re-tagging (which plugin, which hook) is already in the log line's prefix.
      const e = (err instanceof PluginError ? err.cause : err) as Error;
      const message = e instanceof Error ? e.message : String(e);
      log.error(
        `${agent.name}#${action} failed: ${e instanceof Error ? e.name : "Error"}: ${message}\n\t${e instanceof Error ? (e.stack ?? "") : ""}`,
      );
      reply.fail(message, RpcStatus.UNKNOWN_ERROR);
    }
  }
  if (!processResults) {
    log.debug("Client did not request a response, surpressing reply");
    return undefined;
  }
  return rpcReplyToRuby(reply);
}
