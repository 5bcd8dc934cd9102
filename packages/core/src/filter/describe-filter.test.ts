import { describe, expect, it } from "vitest";
import { emptyFilter } from "../message/filter.js";
import { buildFilter } from "./build-filter.js";
import { describeFilter } from "./describe-filter.js";
import { identityDiscoveryShortcut, isIdentityOnlyFilter } from "./identity-shortcut.js";

describe("describeFilter", () => {
  it("prints what `mco describe_filter` prints (captured from MCollective 2.12.5)", () => {
    const filter = buildFilter([
      ["-F", "os=Debian"],
      ["-F", "n=>5"],
      ["-C", "base"],
      ["-C", "/dev/"],
      ["-I", "ignored"],
      [
        "-S",
        "a=b or ((c and not d<=3) or fstat('/x').size>5) and fact('r').value=/w/ and agent('rpcutil').version=1 and x>=2 and y<2",
      ],
    ]);
    expect(describeFilter(filter)).toBe(
      [
        "-F filter expands to the following fact comparisons:",
        "",
        "  Check if fact 'os' == 'Debian'",
        "  Check if fact 'n' >= '5'",
        "",
        "-C filter expands to the following class checks:",
        "",
        "  Check if class 'base' is present on the host",
        "  Check if class '/dev/' is present on the host",
        "",
        "-S Query expands to the following instructions:",
        "",
        "  Check if fact 'a' = 'b'",
        "  OR",
        "  (",
        "    (",
        "        Check if class 'c' is present on the host",
        "        AND",
        "        NOT",
        "        Check if fact 'd' <= '3'",
        "    )",
        "    OR",
        "    Execute the Data Query 'fstat' with parameters (/x). Check if the query's 'size' value > '5'  ",
        "    )",
        "    AND",
        "    Execute the Data Query 'fact' with parameters (r). Check if the query's 'value' value =~ '(?-mix:w)'  ",
        "    AND",
        "    Execute the Data Query 'agent' with parameters (rpcutil). Check if the query's 'version' value == '1'  ",
        "    AND",
        "    Check if fact 'x' >= '2'",
        "    AND",
        "    Check if class 'y<2' is present on the host",
        "",
        "",
      ].join("\n"),
    );
  });

  it("prints nothing for an empty filter", () => {
    expect(describeFilter(emptyFilter())).toBe("");
  });
});

describe("identity shortcuts", () => {
  it("uses plain -I names as the discovered nodes, as SimpleRPC does", () => {
    expect(
      identityDiscoveryShortcut(
        buildFilter([
          ["-I", "a"],
          ["-I", "b"],
          ["-F", "x=y"],
        ]),
      ),
    ).toEqual(["a", "b"]);
    expect(
      identityDiscoveryShortcut(
        buildFilter([
          ["-I", "a"],
          ["-I", "/b/"],
        ]),
      ),
    ).toBeUndefined();
    expect(identityDiscoveryShortcut(emptyFilter())).toBeUndefined();
  });

  it("knows a filter of plain names only", () => {
    expect(
      isIdentityOnlyFilter(
        buildFilter([
          ["-I", "a"],
          ["-A", "rpcutil"],
        ]),
      ),
    ).toBe(true);
    expect(
      isIdentityOnlyFilter(
        buildFilter([
          ["-I", "a"],
          ["-C", "base"],
        ]),
      ),
    ).toBe(false);
    expect(isIdentityOnlyFilter(buildFilter([["-I", "/a/"]]))).toBe(false);
  });
});
