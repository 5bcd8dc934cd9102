/**
 * Whatever text reaches the parsers (argv, a saved filter, a web form), the
 * only failure is a FilterSyntaxError with a column inside the input.
 */

import { FilterSyntaxError } from "@phobos/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyFilter } from "../message/filter.js";
import { addFilterOption } from "./build-filter.js";
import { parseCompound } from "./compound/parser.js";
import { parseFactFilter, parseWithFilter } from "./fact-filter.js";
import { validateFilter } from "./validate-filter.js";

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

  it("parseCompound with validate returns or throws FilterSyntaxError", () => {
    const validated = (text: string) => parseCompound(text, { validate: true });
    fc.assert(fc.property(anything, onlySyntaxErrors(validated)), { numRuns: 3000 });
  });

  it("every filter option returns or throws FilterSyntaxError", () => {
    for (const option of ["-F", "-W", "-I", "-C", "-A", "-S"] as const) {
      const add = (text: string) => addFilterOption(emptyFilter(), option, text);
      fc.assert(fc.property(anything, onlySyntaxErrors(add)), { numRuns: 500 });
    }
  });

  it("validateFilter on any JSON a filter could hold returns or throws FilterSyntaxError", () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const token = fc.oneof(
      fc.record({ statement: fc.oneof(filterish, value) }),
      fc.record({
        fstatement: fc.oneof(
          value,
          fc.record({
            name: filterish,
            params: fc.oneof(filterish, fc.constant(null)),
            value: filterish,
            operator: fc.constantFrom("==", "=~", "!=~", "", ">="),
            r_compare: fc.oneof(
              filterish,
              value,
              fc.record({ regexp: fc.record({ source: filterish, options: fc.nat(7) }) }),
            ),
          }),
        ),
      }),
      value,
    );
    const filterLike = fc.record({
      fact: fc.oneof(
        value,
        fc.array(
          fc.oneof(
            value,
            fc.record({ fact: filterish, operator: fc.constantFrom("=~", "=="), value: filterish }),
          ),
        ),
      ),
      cf_class: fc.oneof(value, fc.array(fc.oneof(filterish, value))),
      agent: fc.array(filterish),
      identity: fc.array(fc.oneof(filterish, value)),
      compound: fc.oneof(value, fc.array(fc.oneof(value, fc.array(token)))),
    });
    fc.assert(
      fc.property(fc.oneof(filterLike, value), (filter) => {
        try {
          validateFilter(filter as never);
        } catch (e) {
          expect(e).toBeInstanceOf(FilterSyntaxError);
        }
      }),
      { numRuns: 2000 },
    );
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
