/**
 * Outcomes of judging a filter that are not plain true/false. Internal to the
 * matcher: `checkFilter` turns both into a non-match.
 */

/**
 * Ruby's `validate_filter?` would have raised here (a regex Ruby refuses, a
 * comparison of an Array with a String, a `-S` stack that is not an
 * expression …): a Ruby daemon logs it and drops the request.
 */
export class FilterEvaluationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FilterEvaluationError";
  }
}

/**
 * A data query that cannot be answered (no such plugin, argument refused).
 * Ruby raises DDLValidationError and the whole `-S` expression is false, so
 * that `!missing('x').y=1` cannot match everywhere.
 */
export class DataQueryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DataQueryError";
  }
}
