import type { RpcRequest } from "@phobos/core";
import { type Check, ensure, show } from "./check.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";
import { isPlainObject } from "./values.js";

export interface AuthorizationSuiteOptions extends SuiteOptions<"authorization"> {
  /** Requests to ask about, and optionally the answer each should get. */
  requests?: { request: RpcRequest; allowed?: boolean }[];
}

export function sampleRpcRequest(overrides: Partial<RpcRequest> = {}): RpcRequest {
  return {
    agent: "package",
    action: "install",
    data: { package: "zsh" },
    sender: "client.example.com",
    caller: "uid=500",
    requestid: "5f0e7c1b9a3d4e2f8a6b1c0d9e8f7a6b",
    time: Math.floor(Date.now() / 1000),
    ...overrides,
  };
}

/**
 * The authorization contract: every answer is `{ allowed: true }` or
 * `{ allowed: false, reason }` with a reason the caller will see
 * (MCollective's "You are not authorized to call this agent or action").
 */
export function authorizationChecks(options: AuthorizationSuiteOptions): Check[] {
  const requests = options.requests ?? [{ request: sampleRpcRequest() }];
  return [
    ...definitionChecks("authorization", options, "server"),
    {
      name: "authorize() answers allowed, or not allowed with a reason",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          for (const { request, allowed } of requests) {
            const what = `${request.caller} calling ${request.agent}#${request.action}`;
            const answer: unknown = await instance.authorize(request);
            ensure(
              isPlainObject(answer) && typeof answer.allowed === "boolean",
              `for ${what} authorize() returned ${show(answer)}`,
            );
            if (!answer.allowed) {
              ensure(
                typeof answer.reason === "string" && answer.reason.length > 0,
                `refused ${what} without a reason`,
              );
            }
            if (allowed !== undefined) {
              ensure(
                answer.allowed === allowed,
                `${answer.allowed ? "allowed" : "refused"} ${what}, expected the opposite`,
              );
            }
          }
        }),
    },
  ];
}

export function describeAuthorizationPlugin(options: AuthorizationSuiteOptions): void {
  describeChecks(
    `authorization plugin '${options.definition.name}' conformance`,
    authorizationChecks(options),
  );
}
