// Proof of execution for the refusal tests: a request this agent ran leaves its id in executed.log.
import { appendFileSync } from "node:fs";
import { join } from "node:path";

const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "agent", api: 1 },
  type: "agent",
  name: "marker",
  create: (ctx) => {
    const dir = ctx.settings.required("dir");
    return {
      actions: {
        touch(request, reply) {
          appendFileSync(join(dir, "executed.log"), `${request.requestid} ${request.caller}\n`);
          reply.data.done = true;
        },
      },
    };
  },
});
