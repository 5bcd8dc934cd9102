import type { Painter } from "./painter.js";

export interface Shape {
  paint(painter: Painter): void;
}
