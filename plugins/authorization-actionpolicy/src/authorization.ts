import { dirname, join } from "node:path";
import {
  type Authorization,
  type AuthorizationResult,
  defineAuthorization,
  type RpcRequest,
  type ServerPluginContext,
} from "@phobos/core";
import { nodeView, ruleApplies } from "./evaluate.js";
import { PolicyStore } from "./policy-store.js";

/** What the caller is told, as MCollective's actionpolicy plugin words it. */
export const NOT_AUTHORIZED = "You are not authorized to call this agent or action.";

/**
 * `plugin.actionpolicy.*` flags are read as the Ruby plugin read them
 * (`/^1|y/i`: "1", "y", "yes" are on; anything else, "true" included, is
 * off); a value that is neither clearly on nor off is worth a warning.
 */
function flag(ctx: ServerPluginContext, key: string): boolean {
  const raw = ctx.settings.string(key);
  if (raw === undefined) return false;
  const on = /^1|y/i.test(raw);
  if (!/^(0|1|y|n|yes|no)$/i.test(raw.trim())) {
    ctx.log.warn(
      `${ctx.settings.fullKey(key)} = ${raw} is read as ${on ? "on" : "off"}, as MCollective reads it: use 1 or y, 0 or n`,
    );
  }
  return on;
}

/**
 * MCollective's action policy authorization (`rpcauthprovider =
 * action_policy`): per-agent policy files in `<configdir>/policies`, first
 * matching rule wins, then the file's `policy default`, then
 * `plugin.actionpolicy.allow_unconfigured`. With `enable_default`, agents
 * without their own file use `<default_name>.policy`. Facts and classes in
 * rules are judged on this node with core's filter engine. A policy (or the
 * groups file) that does not parse denies, never opens.
 */
function createActionPolicy(ctx: ServerPluginContext): Authorization {
  const allowUnconfigured = flag(ctx, "actionpolicy.allow_unconfigured");
  const enableDefault = flag(ctx, "actionpolicy.enable_default");
  const defaultName = ctx.settings.string("actionpolicy.default_name", "default").trim() || "default";
  const policiesDir = join(dirname(ctx.services.configFile), "policies");
  const store = new PolicyStore();
  const node = nodeView(ctx.services);

  const deny = (request: RpcRequest, why: string): AuthorizationResult => {
    ctx.log.info(`Denying ${request.caller} ${request.agent}#${request.action}: ${why}`);
    return { allowed: false, reason: NOT_AUTHORIZED };
  };

  return {
    async authorize(request: RpcRequest): Promise<AuthorizationResult> {
      let file = join(policiesDir, `${request.agent}.policy`);
      let policy = store.policies.load(file);
      if (policy.state === "missing" && enableDefault) {
        file = join(policiesDir, `${defaultName}.policy`);
        policy = store.policies.load(file);
      }
      if (policy.state === "missing") {
        if (allowUnconfigured) return { allowed: true };
        return deny(
          request,
          `no policy file for agent ${request.agent} in ${policiesDir} (plugin.actionpolicy.allow_unconfigured is off)`,
        );
      }
      if (policy.state === "broken") {
        if (policy.fresh) {
          ctx.log.error(
            `${policy.error.message}: denying every request for agent ${request.agent} until the policy is fixed`,
          );
        }
        return deny(request, `the policy does not parse: ${policy.error.message}`);
      }

      const groupsFile = join(policiesDir, "groups");
      const groups = store.groups.load(groupsFile);
      if (groups.state === "broken") {
        if (groups.fresh) {
          ctx.log.error(`${groups.error.message}: denying every request until the groups file is fixed`);
        }
        return deny(request, `the groups file does not parse (${groups.error.message})`);
      }
      const members = groups.state === "ok" ? groups.value : new Map<string, string[]>();

      for (const rule of policy.value.rules) {
        const outcome = await ruleApplies(rule, request, members, node);
        for (const error of outcome.errors) {
          ctx.log.warn(`${file}:${rule.line}: cannot evaluate the rule on this node: ${error.message}`);
        }
        if (!outcome.applies) continue;
        if (rule.effect === "allow") return { allowed: true };
        return deny(request, `explicit deny at ${file}:${rule.line}`);
      }
      const fallback = policy.value.defaultEffect ?? (allowUnconfigured ? "allow" : "deny");
      if (fallback === "allow") return { allowed: true };
      return deny(
        request,
        `no rule matched and the default is deny (${policy.value.defaultEffect ? `policy default in ${file}` : "plugin.actionpolicy.allow_unconfigured is off"})`,
      );
    },
  };
}

export default defineAuthorization({
  name: "action_policy",
  description:
    "MCollective's action policy files: per-agent allow/deny rules on callers, actions, facts and classes",
  settingsPrefixes: ["actionpolicy."],
  create: createActionPolicy,
});
