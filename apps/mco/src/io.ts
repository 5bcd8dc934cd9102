import type { ApplicationOutput } from "@phobos/client";

/** The streams mco writes to; tests hand in buffers. */
export interface McoIo {
  stdout: ApplicationOutput;
  stderr: ApplicationOutput;
  env: NodeJS.ProcessEnv;
}

export function streamOutput(stream: NodeJS.WriteStream): ApplicationOutput {
  return {
    write: (text: string) => {
      stream.write(text);
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      if (stream.isTTY !== true) return 0;
      // MCollective's terminal_dimensions: COLUMNS and LINES first, then the terminal's own size.
      const columns = Number.parseInt(process.env.COLUMNS ?? "", 10);
      if (process.env.LINES !== undefined && Number.isFinite(columns)) return columns;
      return stream.columns ?? 0;
    },
  };
}

/** `mco find | head -1`: a reader that went away ends mco quietly, as a closed pipe should. */
function exitOnClosedPipe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  return stream;
}

export function processIo(): McoIo {
  return {
    stdout: streamOutput(exitOnClosedPipe(process.stdout)),
    stderr: streamOutput(process.stderr),
    env: process.env,
  };
}

/**
 * Remembers whether the stream's last write ended a line, so an error
 * after "Discovering hosts … .... " still starts on a line of its own.
 */
export function lineTracking(
  output: ApplicationOutput,
): ApplicationOutput & { readonly atLineStart: boolean } {
  let atLineStart = true;
  return {
    write: (text: string) => {
      if (text !== "") atLineStart = text.endsWith("\n");
      output.write(text);
    },
    get isTTY() {
      return output.isTTY;
    },
    get columns() {
      return output.columns;
    },
    get atLineStart() {
      return atLineStart;
    },
  };
}
