import { describe, expect, it } from "vitest";
import { describeFilter, EMPTY_FILTER, filterParams, filterSpec } from "./filter.js";

describe("the filter boxes as the API takes them", () => {
  it("splits identities, facts, classes and agents on spaces and commas, one -S expression whole", () => {
    const spec = filterSpec({
      identity: " web1, /^db/ ",
      fact: "role=web  osfamily=Debian",
      class: "role::web",
      agent: "",
      compound: "  role=web and not datacenter=dc2 ",
    });
    expect(spec).toEqual({
      identity: ["web1", "/^db/"],
      fact: ["role=web", "osfamily=Debian"],
      class: ["role::web"],
      agent: [],
      compound: ["role=web and not datacenter=dc2"],
    });
    expect(describeFilter(spec)).toBe(
      '-I web1 -I /^db/ -F role=web -F osfamily=Debian -C role::web -S "role=web and not datacenter=dc2"',
    );
  });

  it("calls an empty filter every node, and sends no option for it", () => {
    const spec = filterSpec(EMPTY_FILTER);
    expect(describeFilter(spec)).toBe("every node");
    expect(Object.values(filterParams(spec)).flat()).toEqual([]);
  });
});
