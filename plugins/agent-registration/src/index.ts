export { DEFAULT_MAX_FACTS_SIZE, default as registrationAgent, type RegistrationAgent } from "./agent.js";
export { default as registrationDdl } from "./ddl.js";
export { parseRegistrationBody, type Registration, RegistrationBodyError } from "./parse-body.js";
export { type ReceiverCounters, type ReceiverOptions, RegistrationReceiver } from "./receiver.js";
