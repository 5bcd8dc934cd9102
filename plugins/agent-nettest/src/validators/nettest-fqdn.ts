import { defineValidator, mcollectiveValidators } from "@phobos/core";
import { HOSTNAME } from "../hostname.js";

function isIpv4(value: unknown): boolean {
  try {
    mcollectiveValidators.ipv4address(value);
    return true;
  } catch {
    return false;
  }
}

/** `:validation => :nettest_fqdn`: an IPv4 address or a host name. */
export default defineValidator({
  name: "nettest_fqdn",
  description: "Validates that a string is a fully qualified domain name",
  create: () => ({
    validate(value) {
      if (isIpv4(value) || (typeof value === "string" && HOSTNAME.test(value))) return;
      throw new Error("value should be a valid fqdn");
    },
  }),
});
