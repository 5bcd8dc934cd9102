import { defineValidator } from "@phobos/core";
import { checkTags } from "../names.js";

export default defineValidator({
  name: "puppet_tags",
  description: "Validates that a comma seperated list of tags are valid Puppet class names",
  create: () => ({ validate: checkTags }),
});
