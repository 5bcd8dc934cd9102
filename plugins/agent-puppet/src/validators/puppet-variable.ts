import { defineValidator } from "@phobos/core";
import { checkVariable } from "../names.js";

export default defineValidator({
  name: "puppet_variable",
  description: "Validates that a variable name is a valid Puppet name",
  create: () => ({ validate: checkVariable }),
});
