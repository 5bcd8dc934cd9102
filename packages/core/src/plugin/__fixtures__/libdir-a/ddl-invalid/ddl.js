// Not a DDL: no metadata, actions is a list.
export default { kind: "agent", actions: [] };
