#!/usr/bin/env node
/**
 * Marshal codec throughput on typical RPC replies, beside Ruby's own figure
 * for the same work (this machine is noisy: compare the two columns, not runs).
 *
 *   pnpm --filter @phobos/core build && node packages/core/bench/marshal-bench.mjs [seconds-per-case]
 *
 * One "reply" = decode the envelope, decode its :body payload, encode the
 * payload, encode the envelope: what a client does with each reply and a
 * daemon with each request. MB/s counts envelope bytes (wire throughput).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const marshal = await import(new URL("../dist/marshal/index.js", import.meta.url).href).catch((err) => {
  console.error(
    `cannot load the built codec (${err.message}): run \`pnpm --filter @phobos/core build\` first`,
  );
  process.exit(1);
});
const { dump, load, sym } = marshal;

const SECONDS = Number(process.argv[2] ?? 1);
const NAMES = ["psk-inventory-reply", "psk-rpc-ping-reply"];
const vectors = JSON.parse(
  readFileSync(new URL("../src/marshal/__fixtures__/vectors.json", import.meta.url), "utf8"),
).filter((v) => NAMES.includes(v.name));
const BODY = sym("body");

function bodyBytes(env) {
  const b = env.get(BODY);
  return b instanceof Uint8Array ? b : b.bytes;
}

const work = {
  decode(wire, options) {
    const env = load(wire, options);
    return load(bodyBytes(env), options);
  },
  encode(env, inner) {
    dump(inner);
    return dump(env);
  },
  reply(wire, options) {
    const env = load(wire, options);
    const inner = load(bodyBytes(env), options);
    dump(inner);
    return dump(env);
  },
};

/** Best of five timed slices, after a warm-up: the least disturbed estimate on a shared machine. */
function opsPerSecond(fn) {
  const slice = (SECONDS * 1000) / 5;
  const until = performance.now() + slice;
  while (performance.now() < until) fn();
  let best = 0;
  for (let round = 0; round < 5; round++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < slice) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      now = performance.now();
    }
    best = Math.max(best, (n * 1000) / (now - start));
  }
  return best;
}

function rubyFigures() {
  const script = `
    require "base64"
    def rate(secs)
      n = 0
      t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      stop = t + secs
      while (now = Process.clock_gettime(Process::CLOCK_MONOTONIC)) < stop
        50.times { yield }
        n += 50
      end
      n / (now - t)
    end
    secs = ${SECONDS}
    $stdin.each_line do |line|
      name, b64 = line.split
      wire = Base64.decode64(b64)
      env = Marshal.load(wire); inner = Marshal.load(env[:body])
      rate(secs / 5.0) { Marshal.load(Marshal.load(wire)[:body]) }
      best = ->(&blk) { (1..5).map { rate(secs / 5.0, &blk) }.max }
      d = best.call { Marshal.load(Marshal.load(wire)[:body]) }
      e = best.call { Marshal.dump(inner); Marshal.dump(env) }
      r = best.call { en = Marshal.load(wire); i = Marshal.load(en[:body]); Marshal.dump(i); Marshal.dump(en) }
      puts [name, d, e, r].join(" ")
    end
  `;
  const input = vectors.map((v) => `${v.name} ${v.body_base64}\n`).join("");
  const res = spawnSync("ruby", ["-e", script], { input, encoding: "utf8" });
  if (res.error || res.status !== 0) return { error: res.error?.message ?? res.stderr.trim() };
  const out = {};
  for (const line of res.stdout.trim().split("\n")) {
    const [name, d, e, r] = line.split(" ");
    out[name] = { decode: Number(d), encode: Number(e), reply: Number(r) };
  }
  return { out, version: spawnSync("ruby", ["-e", "print RUBY_VERSION"], { encoding: "utf8" }).stdout };
}

const fmt = (n) => Math.round(n).toLocaleString("en-US").padStart(9);
const mb = (ops, bytes) => ((ops * bytes) / 1e6).toFixed(1).padStart(6);

console.log(`Marshal codec benchmark (node ${process.version}, ${SECONDS}s per case, best of 5 slices)\n`);
const ruby = rubyFigures();
console.log(
  "vector               bytes  mode   decode ops/s     MB/s   encode ops/s     MB/s   reply ops/s      MB/s",
);
for (const v of vectors) {
  const wire = Buffer.from(v.body_base64, "base64");
  for (const strings of ["js", "ruby"]) {
    const options = { strings };
    const env = load(wire, options);
    const inner = load(bodyBytes(env), options);
    if (!dump(env).equals(wire) && strings === "ruby")
      throw new Error(`${v.name}: faithful round trip differs`);
    const d = opsPerSecond(() => work.decode(wire, options));
    const e = opsPerSecond(() => work.encode(env, inner));
    const r = opsPerSecond(() => work.reply(wire, options));
    console.log(
      `${v.name.padEnd(20)} ${String(wire.length).padStart(5)}  ${strings.padEnd(5)}  ${fmt(d)}  ${mb(d, wire.length)}   ${fmt(e)}  ${mb(e, wire.length)}   ${fmt(r)}  ${mb(r, wire.length)}`,
    );
  }
  const rb = ruby.out?.[v.name];
  if (rb) {
    console.log(
      `${"".padEnd(20)} ${"".padStart(5)}  Ruby   ${fmt(rb.decode)}  ${mb(rb.decode, wire.length)}   ${fmt(rb.encode)}  ${mb(rb.encode, wire.length)}   ${fmt(rb.reply)}  ${mb(rb.reply, wire.length)}`,
    );
  }
}
if (ruby.error) {
  console.log(`\nRuby figure unavailable: ${ruby.error}`);
} else {
  console.log(
    `\nmode js/ruby = load's string mode; Ruby = Ruby ${ruby.version} Marshal.load/dump doing the same work`,
  );
  console.log("in one `ruby -e` process. reply = decode envelope + decode payload + encode both.");
}
