import { defineApplication, fieldSize, rubyCompareStrings } from "@phobos/client";
import { inspect, type RubyValue, rubyToS, UsageError } from "@phobos/core";

/**
 * `mco facts <fact>`: how many nodes report each value of a fact (`-v`
 * lists them), from `rpcutil get_fact` on every node the filter selects.
 */
export default defineApplication({
  name: "facts",
  description: "Reports on usage for a specific fact",
  create: () => ({
    async run(inv) {
      const fact = inv.args.shift();
      if (fact === undefined) throw new UsageError("Please specify a fact to report for");
      const client = await inv.rpcClient("rpcutil", { progress: false });
      // Keyed by the value's inspect: 1 and "1" are different values, as in a Ruby Hash.
      const values = new Map<string, { text: string; senders: string[] }>();
      await client.call("get_fact", { fact }, (result) => {
        const value = result.raw.get(Symbol.for("value")) ?? result.raw.get("value");
        if (value === undefined || value === null || value === false) return;
        const key = inspect(value as RubyValue);
        const entry = values.get(key) ?? { text: rubyToS(value), senders: [] };
        entry.senders.push(result.sender);
        values.set(key, entry);
      });
      if (values.size === 0) {
        inv.stdout.write(`No values found for fact ${fact}\n`);
      } else {
        let text = `Report for fact: ${fact}\n\n`;
        const entries = [...values.values()].sort((a, b) => rubyCompareStrings(a.text, b.text));
        const width = fieldSize(entries.map((e) => e.text));
        for (const entry of entries) {
          text += `        ${entry.text.padEnd(width)} found ${entry.senders.length} times\n`;
          if (inv.options.verbose) {
            text += "\n";
            for (const sender of [...entry.senders].sort(rubyCompareStrings))
              text += `            ${sender}\n`;
            text += "\n";
          }
        }
        inv.stdout.write(text);
      }
      inv.printrpcstats(client.stats);
      return inv.haltCode(client.stats);
    },
  }),
});
