import { defineApplication } from "@phobos/client";
import { describeFilter } from "@phobos/core";

/** `mco describe_filter -S … -F … -C …`: the filter options explained in words. */
export default defineApplication({
  name: "describe_filter",
  description: "Display human readable interpretation of filters",
  create: () => ({
    usage: ["mco describe_filter -S <filter> -F <filter> -C <filter>"],
    excludeSections: ["common", "rpc"],
    async run(inv) {
      inv.stdout.write(describeFilter(inv.options.filter));
      return 0;
    },
  }),
});
