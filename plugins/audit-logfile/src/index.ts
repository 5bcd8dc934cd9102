export { DEFAULT_AUDIT_LOG, default as logfileAudit } from "./audit.js";
export { jsonLine, logfileLine, prettyPrintInspect, rubyUtcTime } from "./audit-line.js";
