export { default as agentData } from "./agent/data.js";
export { default as agentDataDdl } from "./agent/ddl.js";
export { default as collectiveData } from "./collective/data.js";
export { default as collectiveDataDdl } from "./collective/ddl.js";
export { default as factData } from "./fact/data.js";
export { default as factDataDdl } from "./fact/ddl.js";
export { default as fstatData } from "./fstat/data.js";
export { default as fstatDataDdl } from "./fstat/ddl.js";
