export { addFilterOption, buildFilter, type HostFilterOption } from "./build-filter.js";
export { parseCompound } from "./compound/parser.js";
export { describeFilter } from "./describe-filter.js";
export { parseFactFilter, parseWithFilter } from "./fact-filter.js";
export { identityDiscoveryShortcut, isIdentityOnlyFilter } from "./identity-shortcut.js";
export { checkFilter, type FilterVerdict, matchFilter } from "./matcher.js";
export type { NodeView } from "./node-view.js";
export { rubyRegexpToString } from "./ruby-text.js";
export { validateFilter } from "./validate-filter.js";
