import { defineRegistration, type RubyValue } from "@phobos/core";

/**
 * A registration plugin the test steers: by default the daemon's agent
 * list (what agentlist sends); `script.next` replaces the body of the
 * following rounds, or throws from them.
 */
export const script = {
  next: undefined as (() => RubyValue | Promise<RubyValue>) | undefined,
  calls: 0,
};

export default defineRegistration({
  name: "scripted",
  create: (ctx) => ({
    body() {
      script.calls++;
      return script.next ? script.next() : ctx.services.agents();
    },
  }),
});
