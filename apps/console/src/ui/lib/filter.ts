/**
 * The filter as typed (one text box per kind, like mco's -I -F -C -A -S) and
 * as the API takes it (lists, as the options would be repeated). Several
 * identities, facts, classes or agents are separated by spaces or commas, as
 * an operator writes several -F options; the compound box is one -S
 * expression.
 */
import type { FilterSpec } from "../api/types.js";

export interface FilterText {
  identity: string;
  fact: string;
  class: string;
  agent: string;
  compound: string;
}

export const EMPTY_FILTER: FilterText = { identity: "", fact: "", class: "", agent: "", compound: "" };

const words = (text: string) => text.split(/[\s,]+/).filter((word) => word !== "");

export function filterSpec(text: FilterText): Required<FilterSpec> {
  const compound = text.compound.trim();
  return {
    identity: words(text.identity),
    fact: words(text.fact),
    class: words(text.class),
    agent: words(text.agent),
    compound: compound === "" ? [] : [compound],
  };
}

/** The query string of /api/nodes and /api/nodes/count: each option repeated. */
export function filterParams(filter: FilterSpec): Record<string, string[]> {
  return {
    identity: filter.identity ?? [],
    fact: filter.fact ?? [],
    class: filter.class ?? [],
    agent: filter.agent ?? [],
    compound: filter.compound ?? [],
  };
}

/** `-I web1 -F role=db`: how mco would be told the same thing. */
export function describeFilter(filter: FilterSpec): string {
  const parts = [
    ...(filter.identity ?? []).map((v) => `-I ${v}`),
    ...(filter.fact ?? []).map((v) => `-F ${v}`),
    ...(filter.class ?? []).map((v) => `-C ${v}`),
    ...(filter.agent ?? []).map((v) => `-A ${v}`),
    ...(filter.compound ?? []).map((v) => `-S "${v}"`),
  ];
  return parts.length === 0 ? "every node" : parts.join(" ");
}
