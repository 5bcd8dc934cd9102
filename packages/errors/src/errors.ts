/**
 * Every error Phobos raises on purpose is one of these. Each carries a stable
 * `code` (for tests, logs and scripts) and a message that names what was wrong
 * and, where there is one, what to do about it. Causes are kept, never swallowed.
 */
export class PhobosError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A config file line or value that cannot be used: never a silent default. */
export class ConfigError extends PhobosError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly key: string | undefined;

  constructor(
    message: string,
    where: { file?: string; line?: number; key?: string } = {},
    options?: { cause?: unknown },
  ) {
    const place = [where.file, where.line].filter((p) => p !== undefined).join(":");
    const key = where.key === undefined ? "" : `${where.key}: `;
    super("CONFIG", `${place ? `${place}: ` : ""}${key}${message}`, options);
    this.file = where.file;
    this.line = where.line;
    this.key = where.key;
  }
}

export type PluginLoadStage =
  | "manifest"
  | "api-version"
  | "import"
  | "export"
  | "ddl"
  | "create"
  | "activate"
  | "duplicate";

/** A plugin that could not be loaded; collected by the loader, never fatal by itself. */
export class PluginLoadError extends PhobosError {
  readonly packageName: string | undefined;
  readonly path: string;
  readonly pluginType: string | undefined;
  readonly pluginName: string | undefined;
  readonly stage: PluginLoadStage;

  constructor(
    detail: {
      packageName?: string;
      path: string;
      pluginType?: string;
      pluginName?: string;
      stage: PluginLoadStage;
      reason: string;
    },
    options?: { cause?: unknown },
  ) {
    const what =
      detail.pluginType && detail.pluginName
        ? `${detail.pluginType} plugin '${detail.pluginName}'`
        : `plugin package ${detail.packageName ?? detail.path}`;
    super(
      "PLUGIN_LOAD",
      `${what} (${detail.packageName ?? "?"} at ${detail.path}) failed at ${detail.stage}: ${detail.reason}`,
      options,
    );
    this.packageName = detail.packageName;
    this.path = detail.path;
    this.pluginType = detail.pluginType;
    this.pluginName = detail.pluginName;
    this.stage = detail.stage;
  }
}

/**
 * A loaded plugin that threw while core was calling one of its hooks,
 * re-tagged with who and where so a log line names the culprit; the
 * original error stays as `cause`.
 */
export class PluginError extends PhobosError {
  readonly pluginType: string;
  readonly pluginName: string;
  readonly hook: string;

  constructor(detail: { pluginType: string; pluginName: string; hook: string }, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      "PLUGIN",
      `${detail.pluginType} plugin '${detail.pluginName}' failed in ${detail.hook}: ${reason}`,
      {
        cause,
      },
    );
    this.pluginType = detail.pluginType;
    this.pluginName = detail.pluginName;
    this.hook = detail.hook;
  }
}

/** Bytes that are not valid Ruby Marshal data; `offset` points at the bad byte. */
export class MarshalError extends PhobosError {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super("MARSHAL", `${message} at byte ${offset}`);
    this.offset = offset;
  }
}

/** A value the Marshal encoder cannot represent. */
export class MarshalEncodeError extends PhobosError {
  constructor(message: string) {
    super("MARSHAL_ENCODE", message);
  }
}

export type SecurityFailure =
  | "invalid-signature"
  | "unknown-caller"
  | "invalid-callerid"
  | "expired"
  | "replayed"
  | "malformed";

/**
 * A message refused by the security layer. MCollective logs these as
 * "Received an invalid signature in message" and never replies.
 */
export class SecurityError extends PhobosError {
  readonly reason: SecurityFailure;
  /**
   * The hash or signature checked out and the content is what is wrong (a
   * signed body that is not Marshal, an envelope field of the wrong type):
   * daemons count such a message as validated, as MCollective did.
   */
  readonly verified: boolean;

  constructor(reason: SecurityFailure, message: string, options?: { cause?: unknown; verified?: boolean }) {
    super(`SECURITY_${reason.toUpperCase().replace(/-/g, "_")}`, message, options);
    this.reason = reason;
    this.verified = options?.verified ?? false;
  }
}

/** A request older than its ttl (MCollective's MsgTTLExpired). */
export class MessageExpiredError extends PhobosError {
  constructor(message: string) {
    super("MSG_TTL_EXPIRED", message);
  }
}

/** A request whose filter does not match this node (MCollective's NotTargettedAtUs). */
export class NotTargetedError extends PhobosError {
  constructor(message: string) {
    super("NOT_TARGETED", message);
  }
}

/** A `-S` compound filter, fact filter or other filter text that does not parse. */
export class FilterSyntaxError extends PhobosError {
  readonly input: string;
  /** 1-based column of the first offending character, when known. */
  readonly column: number | undefined;

  constructor(message: string, input: string, column?: number) {
    const at = column === undefined ? "" : ` at column ${column}`;
    const caret = column === undefined ? "" : `\n    ${input}\n    ${" ".repeat(Math.max(0, column - 1))}^`;
    super("FILTER_SYNTAX", `${message}${at}${caret}`);
    this.input = input;
    this.column = column;
  }
}

/** The RPC status codes MCollective puts on the wire (`:statuscode`). */
export const RpcStatus = {
  OK: 0,
  ABORTED: 1,
  UNKNOWN_ACTION: 2,
  MISSING_DATA: 3,
  INVALID_DATA: 4,
  UNKNOWN_ERROR: 5,
} as const;
export type RpcStatusCode = (typeof RpcStatus)[keyof typeof RpcStatus];

/** An RPC failure that maps to a wire status code; agents throw these. */
export class RpcError extends PhobosError {
  readonly statuscode: RpcStatusCode;

  constructor(statuscode: RpcStatusCode, message: string, options?: { cause?: unknown }) {
    super(`RPC_${statuscode}`, message, options);
    this.statuscode = statuscode;
  }
}

/** `reply.fail!` in MCollective: status 1. */
export class RpcAbortedError extends RpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(RpcStatus.ABORTED, message, options);
  }
}

export class UnknownRpcActionError extends RpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(RpcStatus.UNKNOWN_ACTION, message, options);
  }
}

export class MissingRpcDataError extends RpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(RpcStatus.MISSING_DATA, message, options);
  }
}

export class InvalidRpcDataError extends RpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(RpcStatus.INVALID_DATA, message, options);
  }
}

/** DDL validation failures are status 4 on the wire, as in MCollective. */
export class DdlValidationError extends InvalidRpcDataError {}

export class UnknownRpcError extends RpcError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(RpcStatus.UNKNOWN_ERROR, message, options);
  }
}

/** A DDL that is itself malformed (a plugin author's mistake, not a caller's). */
export class DdlDefinitionError extends PhobosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("DDL_DEFINITION", message, options);
  }
}

/** Middleware trouble: cannot connect, lost connection, refused credentials. */
export class ConnectorError extends PhobosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONNECTOR", message, options);
  }
}

/** A client-side deadline passed (connect, publish, or a whole request). */
export class ClientTimeoutError extends PhobosError {
  constructor(message: string) {
    super("CLIENT_TIMEOUT", message);
  }
}

/** Bad command line usage: unknown option, missing argument, bad value. */
export class UsageError extends PhobosError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** A message that decoded but does not have the shape MCollective messages have. */
export class MalformedMessageError extends PhobosError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MALFORMED_MESSAGE", message, options);
  }
}

/** A command an agent ran could not start, or outlived its time, or its action's, and was killed. */
export class CommandError extends PhobosError {
  /** True when the command was killed at its deadline rather than failing to start. */
  readonly timedOut: boolean;
  /** True when it was killed because its AbortSignal fired (the action it ran for timed out). */
  readonly aborted: boolean;

  constructor(message: string, options?: { cause?: unknown; timedOut?: boolean; aborted?: boolean }) {
    super(
      options?.timedOut ? "COMMAND_TIMEOUT" : options?.aborted ? "COMMAND_ABORTED" : "COMMAND",
      message,
      options,
    );
    this.timedOut = options?.timedOut ?? false;
    this.aborted = options?.aborted ?? false;
  }
}
