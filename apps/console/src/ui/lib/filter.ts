/**
 * The filter as typed (one text box per kind, like mco's -I -F -C -A -S) and
 * as the API takes it (lists). Several identities, facts, classes or agents
 * are separated by spaces or commas, as an operator writes several -F options.
 */
import type { FilterInput } from "../api/types.js";

export interface FilterText {
  identity: string;
  fact: string;
  class: string;
  agent: string;
  compound: string;
}

export const EMPTY_FILTER: FilterText = { identity: "", fact: "", class: "", agent: "", compound: "" };

const words = (text: string) => text.split(/[\s,]+/).filter((word) => word !== "");

export function filterInput(text: FilterText): FilterInput {
  return {
    identity: words(text.identity),
    fact: words(text.fact),
    class: words(text.class),
    agent: words(text.agent),
    compound: text.compound.trim(),
  };
}

export function isEmptyFilter(filter: FilterInput): boolean {
  return (
    filter.identity.length === 0 &&
    filter.fact.length === 0 &&
    filter.class.length === 0 &&
    filter.agent.length === 0 &&
    filter.compound === ""
  );
}

/** The query string of /api/nodes and /api/nodes/count. */
export function filterParams(filter: FilterInput): Record<string, string | string[]> {
  return {
    identity: filter.identity,
    fact: filter.fact,
    class: filter.class,
    agent: filter.agent,
    compound: filter.compound,
  };
}

/** `-I web1 -F role=db`: how mco would be told the same thing. */
export function describeFilter(filter: FilterInput): string {
  const parts = [
    ...filter.identity.map((v) => `-I ${v}`),
    ...filter.fact.map((v) => `-F ${v}`),
    ...filter.class.map((v) => `-C ${v}`),
    ...filter.agent.map((v) => `-A ${v}`),
    ...(filter.compound === "" ? [] : [`-S "${filter.compound}"`]),
  ];
  return parts.length === 0 ? "every node" : parts.join(" ");
}
