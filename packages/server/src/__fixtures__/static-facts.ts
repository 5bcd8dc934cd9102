import { defineFacts } from "@phobos/core";

export default defineFacts({
  name: "static",
  create: () => ({ load: async () => ({ role: "web", networking: { ip: "10.0.0.1" } }) }),
});
