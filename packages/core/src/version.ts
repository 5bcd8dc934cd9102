/**
 * The MCollective release whose protocol and behaviour Phobos reproduces.
 * Daemons report it as their version (rpcutil inventory, agent metadata), so
 * fleet tooling that keys on MCollective's version keeps working.
 */
export const PROTOCOL_VERSION = "2.12.5";

/** This Phobos release (kept equal to packages/core/package.json by a test). */
export const PHOBOS_VERSION = "0.1.0";
