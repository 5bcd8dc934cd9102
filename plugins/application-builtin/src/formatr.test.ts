import { RFloat, type RValue } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { FormatR, parseLayout } from "./formatr.js";

/** Argument lines here hold Strings and numbers only, read as JSON (a fraction is a Ruby Float). */
const literal = (expression: string): RValue =>
  (JSON.parse(expression) as (string | number)[]).map((v) =>
    typeof v === "number" && !Number.isInteger(v) ? new RFloat(v) : v,
  );

describe("formatr layouts", () => {
  it("fills left, right, centred, numeric and multi-line fields, cutting trailing spaces", () => {
    const body = '@<<<< @>>>> @|||| @##.# @*\n"ab", "cd", "ef", 3.14159, "x\\ny"\n';
    expect(new FormatR(undefined, body, literal).printFormat()).toBe("ab       cd  ef     3.1 x\ny\n");
  });

  it("cuts values to the field, keeps only their first line, and marks numbers too wide", () => {
    const body = '@<< @### @<<\n"abcdef", 123456, "one\\ntwo"\n';
    expect(new FormatR(undefined, body, literal).printFormat()).toBe("abc #### one\n");
  });

  it("drops a ~ line whose fields are all empty, and prints ~ as a space otherwise", () => {
    const body = 'a @<< ~\n""\nb @<< ~\n"x"\n';
    expect(new FormatR(undefined, body, literal).printFormat()).toBe("b x\n");
  });

  it("prints the heading on each page, a form feed between pages", () => {
    const report = new FormatR("H\n", '@<\n"r"\n', literal);
    report.setPageLength(3);
    const out = [1, 2, 3, 4, 5].map(() => report.printFormat()).join("");
    expect(out).toBe("H\nr\nr\n\fH\nr\nr\n\fH\nr\n");
  });

  it("says what is wrong with a layout", () => {
    expect(() => parseLayout("^<<<\nx\n")).toThrow(/continuation fields \(\^<<<\) are not supported/);
    expect(() => parseLayout("@<<<\n")).toThrow(
      "line 1 of the layout has fields but no line of values after it",
    );
    expect(() => new FormatR(undefined, '@<< @<<\n["a"]\n', literal).printFormat()).toThrow(
      "page_body line 2: 2 fields but 1 values in '[\"a\"]'",
    );
    expect(() => new FormatR(undefined, "x\n", literal).setPageLength(0)).toThrow(/positive Integer/);
  });
});
