import { defineApplication } from "@phobos/client";

/**
 * `mco help`: the installed applications with their descriptions, or one
 * application's `--help`.
 */
export default defineApplication({
  name: "help",
  description: "Application list and help",
  create: () => ({
    usage: ["rpc help [application name]"],
    async run(inv) {
      const name = inv.args.shift();
      if (name !== undefined) {
        inv.stdout.write(await inv.applicationHelp(name));
        return 0;
      }
      const lines = inv.applications().map((app) => `  ${app.name.padEnd(15)} ${app.description}\n`);
      inv.stdout.write(`The Marionette Collective version 2.12.5\n\n${lines.join("")}\n`);
      return 0;
    },
  }),
});
