/** An API refusal: the status and a JSON body the UI shows as text. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
