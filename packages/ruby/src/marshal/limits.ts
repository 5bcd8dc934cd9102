/**
 * Nesting depth the codec accepts, loading and dumping alike. MCollective
 * messages nest a handful of levels; the bound keeps hostile input (and
 * runaway structures) from exhausting the JS stack.
 */
export const MAX_NESTING = 1000;
