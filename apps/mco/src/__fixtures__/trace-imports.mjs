// Registers a loader hook that appends every module URL Node loads to $TRACE_IMPORTS.
import { register } from "node:module";

register("./trace-imports-hooks.mjs", import.meta.url, { data: { file: process.env.TRACE_IMPORTS } });
