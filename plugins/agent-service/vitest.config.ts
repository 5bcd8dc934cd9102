import { withOverrides } from "@phobos/vitest-config";

// The tests start and stop a real init script's daemon and run real daemons on a real
// broker: one file at a time, as they were written.
export default withOverrides({ test: { fileParallelism: false } });
