import { withOverrides } from "@phobos/vitest-config";

// The tests run real commands as other users and real daemons on a real broker: one file
// at a time, as they were written.
export default withOverrides({ test: { fileParallelism: false } });
