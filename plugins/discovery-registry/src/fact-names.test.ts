import { emptyFilter, parseCompound, parseFactFilter } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { factNamesOf } from "./fact-names.js";

describe("the facts a filter reads", () => {
  it("are those of -F and the fact comparisons of -S, each once; classes and data functions read none", () => {
    const filter = {
      ...emptyFilter(),
      fact: [parseFactFilter("role=web"), parseFactFilter("networking.ip=/^10\\./")],
      cf_class: ["base"],
      compound: [
        parseCompound('role=db or (monitoring and node_index>=3) or fstat("/etc/hosts").size>0 or os!=x'),
      ],
    };
    // Ruby reads `os!=x` as the fact `os!` compared with "x".
    expect(factNamesOf(filter)).toEqual(["role", "networking.ip", "node_index", "os!"]);
  });

  it("are none for identity, class and agent filters", () => {
    expect(
      factNamesOf({ ...emptyFilter(), identity: ["/web/"], cf_class: ["base"], agent: ["package"] }),
    ).toEqual([]);
  });
});
