import { MalformedMessageError } from "@phobos/errors";
import { fromNatural, RubyFloat, RubyString, type RubyValue, sym, toNatural } from "@phobos/ruby";

/** A SimpleRPC request body (`RPC::Client#new_request`). */
export interface RpcRequestPayload {
  agent: string;
  action: string;
  caller: string;
  /** Action inputs, plus `process_results` (false for `--no-results`). */
  data: Record<string, unknown>;
}

/** A SimpleRPC reply body (`RPC::Reply#to_hash`). */
export interface RpcReplyPayload {
  statuscode: number;
  statusmsg: string;
  /** Outputs as plain JavaScript values. */
  data: Record<string, unknown>;
  /** Outputs exactly as received (Symbol/String keys, Floats): for Ruby-style printing. */
  raw: Map<RubyValue, RubyValue>;
}

function get(map: Map<RubyValue, RubyValue>, key: string): RubyValue | undefined {
  return map.has(sym(key)) ? map.get(sym(key)) : map.get(key);
}

function text(value: RubyValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof RubyString) return value.toString();
  if (typeof value === "symbol") return Symbol.keyFor(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  return undefined;
}

/** The `:action` a SimpleRPC request body names, without decoding the rest (undefined if it names none). */
export function rpcRequestAction(value: RubyValue): string | undefined {
  return value instanceof Map ? text(get(value, "action")) : undefined;
}

/** Symbol keys at the top of `:data` (inputs are declared as Symbols); nested plain objects likewise. */
export function rpcRequestToRuby(request: RpcRequestPayload): Map<RubyValue, RubyValue> {
  return new Map<RubyValue, RubyValue>([
    [sym("agent"), request.agent],
    [sym("action"), request.action],
    [sym("caller"), request.caller],
    [sym("data"), fromNatural(request.data)],
  ]);
}

export function rpcRequestFromRuby(value: RubyValue): RpcRequestPayload {
  if (!(value instanceof Map)) throw new MalformedMessageError("SimpleRPC request body is not a Hash");
  const agent = text(get(value, "agent"));
  const action = text(get(value, "action"));
  const caller = text(get(value, "caller")) ?? "unknown";
  const data = get(value, "data");
  if (agent === undefined || action === undefined) {
    throw new MalformedMessageError("SimpleRPC request body needs :agent and :action Strings");
  }
  if (data !== undefined && data !== null && !(data instanceof Map)) {
    throw new MalformedMessageError("SimpleRPC request :data is not a Hash");
  }
  const natural = data ? (toNatural(data) as Record<string, unknown>) : {};
  // An input that is a Float with an integral value (Ruby's 30.0) stays a
  // RubyFloat, which `Number()` reads: as a plain 30 the DDL's :float
  // typecheck would refuse what Ruby's daemon accepts.
  if (data) {
    for (const [key, value] of data) {
      if (value instanceof RubyFloat && Number.isInteger(value.value)) {
        const name = toNatural(key);
        if (typeof name === "string" && Object.hasOwn(natural, name)) natural[name] = value;
      }
    }
  }
  return { agent, action, caller, data: natural };
}

/** Reply outputs keep Symbol keys at the top, as RPC::Reply's `@data[key] = …` makes them. */
export function rpcReplyToRuby(reply: {
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
}) {
  return new Map<RubyValue, RubyValue>([
    [sym("statuscode"), reply.statuscode],
    [sym("statusmsg"), reply.statusmsg],
    [sym("data"), fromNatural(reply.data)],
  ]);
}

export function rpcReplyFromRuby(value: RubyValue): RpcReplyPayload {
  if (!(value instanceof Map)) throw new MalformedMessageError("SimpleRPC reply body is not a Hash");
  const code = get(value, "statuscode");
  const statuscode = typeof code === "number" ? code : typeof code === "bigint" ? Number(code) : Number.NaN;
  const statusmsg = text(get(value, "statusmsg")) ?? "";
  const data = get(value, "data");
  if (!Number.isInteger(statuscode))
    throw new MalformedMessageError("SimpleRPC reply :statuscode is not an Integer");
  if (data !== undefined && data !== null && !(data instanceof Map)) {
    throw new MalformedMessageError("SimpleRPC reply :data is not a Hash");
  }
  const raw = data instanceof Map ? data : new Map<RubyValue, RubyValue>();
  return { statuscode, statusmsg, data: toNatural(raw) as Record<string, unknown>, raw };
}
