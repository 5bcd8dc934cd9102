export { default as agentData } from "./data/agent.js";
export { default as agentDataDdl } from "./data/agent-ddl.js";
export { default as collectiveData } from "./data/collective.js";
export { default as collectiveDataDdl } from "./data/collective-ddl.js";
export { default as factData } from "./data/fact.js";
export { default as factDataDdl } from "./data/fact-ddl.js";
export { default as fstatData } from "./data/fstat.js";
export { default as fstatDataDdl } from "./data/fstat-ddl.js";
