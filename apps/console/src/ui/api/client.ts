/**
 * The one way the UI talks to the console's API: JSON in and out, the CSRF
 * token on every state-changing call, and a 401 turned into "signed out" so
 * every screen falls back to the sign-in form instead of showing an error.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken = "";
let onSignedOut: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called (once per 401) so the app can show the sign-in screen. */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

function messageOf(status: number, body: unknown): string {
  if (body && typeof body === "object" && "error" in body && typeof body.error === "string")
    return body.error;
  if (typeof body === "string" && body !== "") return body;
  return `the console answered ${status}`;
}

export async function api<T>(
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
  options: { signal?: AbortSignal; quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken !== "") headers["x-csrf-token"] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
    signal: options.signal,
  });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get("content-type") ?? "").includes("json") && text !== "") parsed = JSON.parse(text);
  if (!response.ok) {
    if (response.status === 401 && !options.quiet401) onSignedOut();
    throw new ApiError(response.status, messageOf(response.status, parsed), parsed);
  }
  return parsed as T;
}

/** `{a: "x", b: ["y", "z"]}` -> `a=x&b=y&b=z`, empty values left out. */
export function queryString(params: Record<string, string | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const one of typeof value === "string" ? [value] : value) if (one !== "") search.append(key, one);
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}
