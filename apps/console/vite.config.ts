/**
 * The console's UI: built from src/ui into dist/ui, which the console
 * serves itself (no CDN). Preact's automatic JSX runtime; `preact/debug` is
 * never bundled. Modules go out as one entry chunk, so the first load is
 * three files: index.html, one script, one stylesheet.
 */
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/ui",
  base: "/",
  publicDir: false,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../../dist/ui",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: false,
  },
  server: { port: 44210, strictPort: true, proxy: { "/api": "http://127.0.0.1:44211" } },
});
