import { withOverrides } from "@phobos/vitest-config";

// The browser tests (e2e/) drive Chromium against a whole site: they run with the unit tests.
export default withOverrides({ test: { include: ["src/**/*.test.ts", "e2e/**/*.test.ts"] } });
