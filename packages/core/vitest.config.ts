import { readFileSync } from "node:fs";
import { withOverrides } from "@phobos/vitest-config";

// The source under test gets the version the build bakes into dist (see src/version.ts).
const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default withOverrides({ define: { __PHOBOS_VERSION__: JSON.stringify(version) } });
