/**
 * The host filter the UI sends (query parameters or a JSON `filter`),
 * checked and turned into what the client API and the registry take.
 * The words are mco's own (`-F role=web`, `-S "a and b"`), parsed by
 * core's buildFilter, so a filter means here what it means to mco.
 */
import type { FilterOptions } from "@phobos/client";
import { buildFilter, type Filter, type HostFilterOption } from "@phobos/core";
import type { FilterSpec } from "../shared/api-types.js";
import { HttpError } from "./http-error.js";

const OPTIONS: readonly [keyof FilterSpec, HostFilterOption][] = [
  ["identity", "-I"],
  ["fact", "-F"],
  ["class", "-C"],
  ["agent", "-A"],
  ["compound", "-S"],
];

/** A FilterSpec from a JSON body's `filter` (absent: no filter). */
export function filterFromJson(value: unknown): FilterSpec {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "filter must be an object of identity, fact, class, agent and compound lists");
  }
  const spec: FilterSpec = {};
  for (const [key, words] of Object.entries(value)) {
    const option = OPTIONS.find(([name]) => name === key);
    if (!option) {
      throw new HttpError(400, `filter has no '${key}': use ${OPTIONS.map(([n]) => n).join(", ")}`);
    }
    const list = typeof words === "string" ? [words] : words;
    if (!Array.isArray(list) || !list.every((w) => typeof w === "string")) {
      throw new HttpError(400, `filter.${key} takes text or a list of texts`);
    }
    const kept = list.map((w) => w.trim()).filter((w) => w !== "");
    if (kept.length > 0) spec[key as keyof FilterSpec] = kept;
  }
  return spec;
}

/** A FilterSpec from query parameters (`?fact=role=web&fact=dc=1&class=base`). */
export function filterFromQuery(query: Record<string, string[]>): FilterSpec {
  const spec: Record<string, string[]> = {};
  for (const [key] of OPTIONS) if (query[key] !== undefined) spec[key] = query[key];
  return filterFromJson(spec);
}

export function isEmptyFilter(spec: FilterSpec): boolean {
  return OPTIONS.every(([key]) => (spec[key]?.length ?? 0) === 0);
}

/** Core's Filter: a malformed word is a 400 naming it, as mco refuses it. */
export function toFilter(spec: FilterSpec): Filter {
  const entries: [HostFilterOption, string][] = [];
  for (const [key, option] of OPTIONS) for (const word of spec[key] ?? []) entries.push([option, word]);
  try {
    return buildFilter(entries);
  } catch (err) {
    throw new HttpError(400, (err as Error).message);
  }
}

/** The openClient options. */
export function toFilterOptions(spec: FilterSpec): FilterOptions {
  const options: FilterOptions = {};
  for (const [key] of OPTIONS) if (spec[key] !== undefined) options[key] = spec[key];
  return options;
}
