import type { Colorize } from "./color.js";

const TWIRL = ["|", "/", "-", "\\", "|", "/", "-", "\\"];

/**
 * RPC::Progress, the bar SimpleRPC draws while replies arrive:
 * ` * [ ======> ] 3 / 4` on a terminal (as wide as it allows, at most 60),
 * `3 / 4` everywhere else. Each frame starts with `\r`.
 */
export class Progress {
  readonly #size: number;
  readonly #color: Colorize;
  #twirl = 0;

  /** `columns`: the terminal's width, or 0 when output is not a terminal. */
  constructor(columns: number, color: Colorize) {
    const cols = columns - 22;
    this.#size = cols <= 0 ? 0 : Math.min(cols, 60);
    this.#color = color;
  }

  twirl(current: number, total: number): string {
    if (this.#size === 0) return `\r${current} / ${total}`;
    const mark =
      current === total ? this.#color("green", "*") : this.#color("red", TWIRL[this.#twirl] as string);
    const dashes = Math.round((current / total) * this.#size);
    this.#twirl = this.#twirl === 7 ? 0 : this.#twirl + 1;
    return `\r ${mark} [ ${"=".repeat(dashes)}>${" ".repeat(Math.max(0, this.#size - dashes))} ] ${current} / ${total}`;
  }
}
