/** Our SEND frames must be byte for byte what stompjs's publish would have written. */
import { FrameImpl } from "@stomp/stompjs";
import { describe, expect, it } from "vitest";
import { sendFrame } from "./send-frame.js";

function stompjsFrame(
  destination: string,
  headers: Record<string, string>,
  body: Uint8Array,
  escaping: boolean,
) {
  const frame = new FrameImpl({
    command: "SEND",
    headers: Object.assign({ destination }, headers),
    binaryBody: body,
    escapeHeaderValues: escaping,
  });
  return Buffer.from(frame.serialize() as ArrayBuffer);
}

describe("sendFrame", () => {
  const body = Buffer.from("\x04\x08{\x00binary\x00\xff body", "latin1");
  const headers = {
    "content-type": "text/plain; charset=UTF-8",
    "reply-to": "/temp-queue/mcollective_reply_rpcutil",
    expires: "1765000000000",
    "x-odd": "a:b\\c\nd\re",
    "x-utf8": "hé ü 日本",
  };

  for (const escaping of [false, true]) {
    it(`writes what stompjs writes, ${escaping ? "escaping values (STOMP 1.2)" : "values as they are (1.0, 1.1)"}`, () => {
      expect(sendFrame("/exchange/mcollective_directed/n1", headers, body, escaping)).toEqual(
        stompjsFrame("/exchange/mcollective_directed/n1", headers, body, escaping),
      );
    });
  }

  it("keeps destination first even when the headers carry one, and handles an empty body", () => {
    const h = { priority: "4", destination: "/queue/override" };
    expect(sendFrame("/queue/q", h, new Uint8Array(), false)).toEqual(
      stompjsFrame("/queue/q", h, new Uint8Array(), false),
    );
    expect(sendFrame("/queue/q", {}, new Uint8Array(), false).toString("latin1")).toBe(
      "SEND\ndestination:/queue/q\ncontent-length:0\n\n\0",
    );
  });
});
