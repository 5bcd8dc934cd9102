/**
 * What a browser does with the console, for tests: keeps the session
 * cookie, sends the CSRF token on state-changing requests (unless told
 * not to), reads Server-Sent Events to the `end` event.
 */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  type: string;
  body: T;
  headers: Headers;
}

export class BrowserLike {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly base: string) {}

  async send<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean; contentType?: string } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
    if (method !== "GET" && options.csrf !== false && this.csrf) headers["x-csrf-token"] = this.csrf;
    const res = await fetch(new URL(path, this.base), {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) {
      const [pair] = setCookie.split(";");
      this.cookie = pair?.endsWith("=") ? undefined : pair;
    }
    const type = res.headers.get("content-type") ?? "";
    const text = await res.text();
    return {
      status: res.status,
      type,
      body: (type.startsWith("application/json") ? JSON.parse(text) : text) as T,
      headers: res.headers,
    };
  }

  async signIn(login: string, password: string): Promise<Answer> {
    const answer = await this.send("POST", "/api/session", { login, password });
    if (answer.status === 200) this.csrf = answer.body.csrfToken as string;
    return answer;
  }

  /** Every event of a request's stream, to `end`. */
  async events(id: string): Promise<{ event: string; data: Record<string, unknown> }[]> {
    const res = await fetch(new URL(`/api/requests/${id}/events`, this.base), {
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    if (res.status !== 200) throw new Error(`events of ${id}: ${res.status} ${await res.text()}`);
    const events: { event: string; data: Record<string, unknown> }[] = [];
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        events.push({ event, data: JSON.parse(data) });
        if (event === "end") return events;
      }
    }
    return events;
  }
}
