import { defineAgent, RpcAbortedError } from "@phobos/core";

/** What the actions saw, for the test to check. */
export const seen: { action: string; data: Record<string, unknown> }[] = [];
/** Resolves the running `slow` actions (they otherwise never end). */
export const slowRuns: (() => void)[] = [];

export default defineAgent({
  name: "demo",
  create: () => ({
    actions: {
      greet(request, reply) {
        seen.push({ action: "greet", data: { ...request.data } });
        reply.data.greeting = `${String(request.data.word)} ${String(request.data.name)}`;
        reply.data.count = request.data.times;
      },
      abort() {
        throw new RpcAbortedError("Not today");
      },
      crash() {
        throw new TypeError("cannot read properties of undefined (reading 'x')");
      },
      slow(_request, reply) {
        return new Promise<void>((resolve) => {
          slowRuns.push(() => {
            reply.data.greeting = "too late";
            resolve();
          });
        });
      },
      quiet() {
        seen.push({ action: "quiet", data: {} });
      },
    },
  }),
});
