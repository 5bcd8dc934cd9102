import { describe, expect, it } from "vitest";
import { href, parseRoute, type Route } from "./route.js";

describe("hash routes", () => {
  it("round-trips every screen, identities and ids with characters a URL escapes", () => {
    const routes: Route[] = [
      { screen: "fleet" },
      { screen: "node", identity: "web-1.example.net" },
      { screen: "node", identity: "a/b c#d" },
      { screen: "run" },
      { screen: "run", agent: "package" },
      { screen: "run", agent: "package", action: "status" },
      { screen: "history" },
      { screen: "request", id: "9f1c 2" },
    ];
    for (const route of routes) expect(parseRoute(href(route))).toEqual(route);
  });

  it("shows the fleet for an empty or unknown hash", () => {
    expect(parseRoute("")).toEqual({ screen: "fleet" });
    expect(parseRoute("#/nowhere")).toEqual({ screen: "fleet" });
  });
});
