import type { AuditRecord } from "@phobos/core";
import { type Check, ensureEqual } from "./check.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";
import { plain } from "./values.js";

export interface AuditSuiteOptions extends SuiteOptions<"audit"> {
  record?: AuditRecord;
}

/** An `mco package install zsh` as the daemon audits it. */
export function sampleAuditRecord(): AuditRecord {
  return {
    time: new Date(),
    requestid: "5f0e7c1b9a3d4e2f8a6b1c0d9e8f7a6b",
    agent: "package",
    action: "install",
    caller: "uid=500",
    sender: "client.example.com",
    data: { package: "zsh", process_results: true },
  };
}

/** The audit contract: auditing a request completes, repeatedly, and leaves the record alone. */
export function auditChecks(options: AuditSuiteOptions): Check[] {
  return [
    ...definitionChecks("audit", options, "server"),
    {
      name: "audit() completes for a request, twice, without changing the record",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          const record = options.record ?? sampleAuditRecord();
          const copy = plain({ ...record, time: record.time.getTime(), data: { ...record.data } });
          await instance.audit(record);
          await instance.audit(record);
          ensureEqual(plain({ ...record, time: record.time.getTime() }), copy, "the audited record");
        }),
    },
  ];
}

export function describeAuditPlugin(options: AuditSuiteOptions): void {
  describeChecks(`audit plugin '${options.definition.name}' conformance`, auditChecks(options));
}
