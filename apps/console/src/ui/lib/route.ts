/**
 * Hash routes (`#/nodes/web1`): the console serves one index.html and needs
 * no server-side fallback for deep links, and a reload keeps the screen.
 */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { screen: "fleet" }
  | { screen: "node"; identity: string }
  | { screen: "run"; agent?: string; action?: string }
  | { screen: "history" }
  | { screen: "request"; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((part) => part !== "")
    .map((part) => decodeURIComponent(part));
  const [head, first, second] = parts;
  if (head === "nodes" && first !== undefined) return { screen: "node", identity: first };
  if (head === "run") return { screen: "run", agent: first, action: second };
  if (head === "history" && first !== undefined) return { screen: "request", id: first };
  if (head === "history") return { screen: "history" };
  return { screen: "fleet" };
}

export function href(route: Route): string {
  const enc = encodeURIComponent;
  switch (route.screen) {
    case "fleet":
      return "#/fleet";
    case "node":
      return `#/nodes/${enc(route.identity)}`;
    case "run":
      return `#/run${route.agent ? `/${enc(route.agent)}` : ""}${route.action ? `/${enc(route.action)}` : ""}`;
    case "history":
      return "#/history";
    case "request":
      return `#/history/${enc(route.id)}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
