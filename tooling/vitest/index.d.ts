import type { ViteUserConfig } from "vitest/config";

declare const shared: ViteUserConfig;
export default shared;

/** The shared settings with a package's own on top; say why beside the call. */
export function withOverrides(overrides: ViteUserConfig): ViteUserConfig;
