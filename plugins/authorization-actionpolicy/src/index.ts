export { default as actionPolicyAuthorization, NOT_AUTHORIZED } from "./authorization.js";
export {
  isCompound,
  type Policy,
  type PolicyRule,
  PolicySyntaxError,
  parseGroups,
  parsePolicy,
} from "./policy-file.js";
