// The same test agent as echo.rb, for Phobos daemons; branded directly, as any copy of core would.
export default Object.freeze({
  [Symbol.for("phobos.plugin")]: { type: "agent", api: 1 },
  type: "agent",
  name: "echo",
  create: () => ({
    actions: {
      echo(request, reply) {
        reply.data.message = request.data.message;
      },
    },
  }),
});
