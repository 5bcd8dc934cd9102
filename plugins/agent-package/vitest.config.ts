import { withOverrides } from "@phobos/vitest-config";

// The tests install and remove real packages: one file at a time, so they never queue on
// dpkg's lock behind each other.
export default withOverrides({ test: { fileParallelism: false } });
