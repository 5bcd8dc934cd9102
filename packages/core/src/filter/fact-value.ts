/** A fact as facts sources give it (YAML or JSON): scalars, arrays and maps nest. */
export type FactValue = string | number | boolean | null | FactValue[] | { [key: string]: FactValue };
export type Facts = Record<string, FactValue>;
