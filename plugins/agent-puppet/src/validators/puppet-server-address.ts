import { defineValidator } from "@phobos/core";
import { checkServer } from "../names.js";

export default defineValidator({
  name: "puppet_server_address",
  description: "Validates that a string is a valid Puppet Server and Port for the Puppet agent",
  create: () => ({ validate: checkServer }),
});
