import { withOverrides } from "@phobos/vitest-config";

// The browser tests (console-ui's) live in e2e/ beside the server's tests in src/.
export default withOverrides({ test: { include: ["src/**/*.test.ts", "e2e/**/*.test.ts"] } });
