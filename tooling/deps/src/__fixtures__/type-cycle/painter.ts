import type { Shape } from "./shape.js";

export interface Painter {
  draw(shape: Shape): void;
}
