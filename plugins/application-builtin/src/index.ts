/** The built-in applications' definitions (mco loads each from its own entry in the manifest). */
export { default as completion } from "./completion.js";
export { default as describeFilter } from "./describe-filter.js";
export { default as facts } from "./facts.js";
export { default as find } from "./find.js";
export { default as help } from "./help.js";
export { default as inventory } from "./inventory.js";
export { type InventoryNode, type InventoryScript, parseRubyInventoryScript } from "./inventory-script.js";
export { default as ping } from "./ping.js";
export { default as plugin } from "./plugin.js";
export { default as rpc } from "./rpc.js";
export { sparkline } from "./sparkline.js";
