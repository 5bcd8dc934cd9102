// Core reaching up into the daemon's engine, with no cycle: the layer rule alone refuses it.
import type { ServerName } from "@phobos/server";

export type CoreView = { server: ServerName };
