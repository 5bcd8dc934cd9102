import { defineValidator } from "@phobos/core";
import { checkResource } from "../names.js";

export default defineValidator({
  name: "puppet_resource",
  description: "Validates that a string is a valid Puppet resource name",
  create: () => ({ validate: checkResource }),
});
