/** The agents an operator can call from mco: the client's rule, shared with the console. */
export { callableAgents } from "@phobos/client";
