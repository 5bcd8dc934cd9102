import { describe, expect, it } from "vitest";
import { didYouMean, editDistance, formatDidYouMean } from "./did-you-mean.js";

describe("editDistance", () => {
  it("counts insertions, deletions, substitutions and adjacent transpositions as one edit", () => {
    expect(editDistance("rabbitmq", "rabbitmq")).toBe(0);
    expect(editDistance("rabitmq", "rabbitmq")).toBe(1);
    expect(editDistance("rabbitmqq", "rabbitmq")).toBe(1);
    expect(editDistance("rabbitnq", "rabbitmq")).toBe(1);
    expect(editDistance("rabbtimq", "rabbitmq")).toBe(1);
    expect(editDistance("", "psk")).toBe(3);
    expect(editDistance("ca", "abc")).toBe(3);
  });
});

describe("didYouMean", () => {
  const connectors = ["activemq", "rabbitmq", "stomp"];

  it("suggests near names, best first, case-insensitively", () => {
    expect(didYouMean("rabitmq", connectors)).toEqual(["rabbitmq"]);
    expect(didYouMean("RabbitMQ", connectors)).toEqual(["rabbitmq"]);
    expect(didYouMean("activmeq", connectors)).toEqual(["activemq"]);
    expect(didYouMean("pks", ["psk", "ssl", "aes_security"])).toEqual(["psk"]);
  });

  it("does not suggest what is merely the same length", () => {
    expect(didYouMean("psk", ["ssl"])).toEqual([]);
    expect(didYouMean("zeromq", connectors)).toEqual([]);
  });

  it("formats zero, one or several suggestions", () => {
    expect(formatDidYouMean([])).toBe("");
    expect(formatDidYouMean(["a"])).toBe("did you mean 'a'?");
    expect(formatDidYouMean(["a", "b", "c"])).toBe("did you mean 'a', 'b' or 'c'?");
    expect(formatDidYouMean(["a", "b", "c", "d"])).toBe("did you mean 'a', 'b' or 'c'?");
    expect(formatDidYouMean(["a", "b", "c", "d"], Infinity)).toBe("did you mean 'a', 'b', 'c' or 'd'?");
  });
});
