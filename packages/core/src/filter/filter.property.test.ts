/**
 * Whatever text reaches the parsers (argv, a saved filter, a web form), the
 * only failure is a FilterSyntaxError with a column inside the input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FilterSyntaxError } from "../errors.js";
import { parseCompound } from "./compound/parser.js";
import { parseFactFilter, parseWithFilter } from "./fact-filter.js";

const filterish = fc.string({
  unit: fc.constantFrom(..."abnotr!()/=<>~'\"\\., \t\nfx1_`{}[]*+?|^$"),
  maxLength: 40,
});
const anything = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  filterish,
);

function onlySyntaxErrors(parse: (text: string) => unknown): (text: string) => void {
  return (text) => {
    try {
      parse(text);
    } catch (e) {
      expect(e).toBeInstanceOf(FilterSyntaxError);
      const column = (e as FilterSyntaxError).column;
      if (column !== undefined) {
        expect(column).toBeGreaterThanOrEqual(1);
        expect(column).toBeLessThanOrEqual(Array.from(text).length + 1);
      }
    }
  };
}

describe("parsers on arbitrary text", () => {
  it("parseCompound returns or throws FilterSyntaxError", () => {
    fc.assert(fc.property(anything, onlySyntaxErrors(parseCompound)), { numRuns: 3000 });
  });

  it("parseFactFilter returns or throws FilterSyntaxError", () => {
    fc.assert(fc.property(anything, onlySyntaxErrors(parseFactFilter)), { numRuns: 3000 });
  });

  it("parseWithFilter never throws", () => {
    fc.assert(
      fc.property(anything, (text) => {
        parseWithFilter(text);
      }),
      { numRuns: 1000 },
    );
  });
});
