/**
 * Which strings Ruby's `IPAddr.new` accepts, and as which family: the
 * `ipv4address` and `ipv6address` validators are nothing more than that.
 * IPAddr is more generous than `node:net`'s `isIPv4`/`isIPv6`: it takes a
 * prefix or a netmask (`10.0.0.1/24`, `10.0.0.1/255.255.255.0`), brackets
 * (`[::1]`) and zone ids (`fe80::1%eth0`); it refuses zero-padded IPv4
 * octets (`01.2.3.4`) and anything with surrounding blanks. Behaviour
 * follows Ruby 3.1's ipaddr 1.2.4, which Debian's MCollective runs on.
 */

interface ParsedIp {
  family: 4 | 6;
  /** Undefined in the one corner where IPAddr itself keeps no address yet succeeds. */
  addr: bigint | undefined;
  mask: bigint;
}

const IN4MASK = 0xffffffffn;
const IN6MASK = (1n << 128n) - 1n;

class InvalidIp extends Error {}

const V4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;
const V6_FULL = /^(?:(?:[\da-f]{1,4}:){7}[\da-f]{1,4}|((?:[\da-f]{1,4}:){6})(\d+)\.(\d+)\.(\d+)\.(\d+))$/i;
const V6_COMPRESSED =
  /^((?:(?:[\da-f]{1,4}:)*[\da-f]{1,4})?)::((?:((?:[\da-f]{1,4}:)*)(?:[\da-f]{1,4}|(\d+)\.(\d+)\.(\d+)\.(\d+)))?)$/i;

function v4FromOctets(octets: string[]): bigint {
  let value = 0n;
  for (const s of octets) {
    const n = BigInt(s);
    if (n >= 256n) throw new InvalidIp("invalid address");
    if (/^0[\s\S]/.test(s)) throw new InvalidIp("zero-filled number in IPv4 address is ambiguous");
    value = (value << 8n) | n;
  }
  return value;
}

function inAddr(addr: string): bigint | undefined {
  const m = V4.exec(addr);
  return m ? v4FromOctets(m.slice(1, 5) as string[]) : undefined;
}

function colons(s: string): number {
  return s.split(":").length - 1;
}

/** Ruby's `String#split(":")`: trailing empty fields dropped. */
function rubySplit(s: string): string[] {
  const parts = s.split(":");
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function in6Addr(text: string): bigint | undefined {
  let left: string;
  let right: string;
  let addr: bigint;
  const full = V6_FULL.exec(text);
  const compressed = full ? null : V6_COMPRESSED.exec(text);
  if (full) {
    if (full[2] !== undefined) {
      addr = v4FromOctets(full.slice(2, 6) as string[]);
      left = `${full[1]}:`;
    } else {
      addr = 0n;
      left = text;
    }
    right = "";
  } else if (compressed) {
    const [, g1 = "", g2 = "", g3 = ""] = compressed;
    if (compressed[4] !== undefined) {
      if (colons(text) > 6) throw new InvalidIp("invalid address");
      addr = v4FromOctets(compressed.slice(4, 8) as string[]);
      left = g1;
      right = `${g3}0:0`;
    } else {
      if (colons(text) > (g1 === "" || g2 === "" ? 8 : 7)) throw new InvalidIp("invalid address");
      left = g1;
      right = g2;
      addr = 0n;
    }
  } else {
    throw new InvalidIp("invalid address");
  }
  const l = rubySplit(left);
  const r = rubySplit(right);
  const rest = 8 - l.length - r.length;
  if (rest < 0) return undefined;
  let value = 0n;
  for (const group of [...l, ...Array<string>(rest).fill("0"), ...r]) {
    value = (value << 16n) | BigInt(`0x${group || "0"}`);
  }
  return value | addr;
}

function parse(text: string): ParsedIp {
  const slash = text.indexOf("/");
  let prefix = slash < 0 ? text : text.slice(0, slash);
  const prefixlen = slash < 0 ? undefined : text.slice(slash + 1);
  let forced: 4 | 6 | undefined;
  const bracket = /^\[([^\n]*)\]$/.exec(prefix);
  if (bracket) {
    prefix = bracket[1] ?? "";
    forced = 6;
  }
  const zone = /^([^\n]*)(%\w+)$/.exec(prefix);
  if (zone) {
    prefix = zone[1] ?? "";
    forced = 6;
  }
  let family: 4 | 6 | undefined;
  let addr: bigint | undefined;
  if (forced === undefined) {
    addr = inAddr(prefix);
    if (addr !== undefined) family = 4;
  }
  if (family === undefined) {
    addr = in6Addr(prefix);
    family = 6;
  }
  if (forced !== undefined && forced !== family) throw new InvalidIp("address family mismatch");
  const full = family === 4 ? IN4MASK : IN6MASK;
  if (prefixlen === undefined) return { family, addr, mask: full };
  return { family, addr, mask: applyMask(family, prefixlen) };
}

function applyMask(family: 4 | 6, mask: string): bigint {
  const bits = family === 4 ? 32 : 128;
  const full = family === 4 ? IN4MASK : IN6MASK;
  if (/^(0|[1-9]+\d*)$/.test(mask)) {
    const len = Number(mask);
    if (len > bits) throw new InvalidIp("invalid length");
    return ((full >> BigInt(bits - len)) << BigInt(bits - len)) & full;
  }
  if (/^\d+$/.test(mask)) throw new InvalidIp("leading zeros in prefix");
  const m = parse(mask);
  if (m.family !== family) throw new InvalidIp("address family is not same");
  if (m.addr === undefined) throw new InvalidIp("invalid mask");
  const n = m.addr ^ m.mask;
  if (((n + 1n) & n) !== 0n) throw new InvalidIp(`invalid mask ${mask}`);
  return m.addr;
}

/** The family Ruby's `IPAddr.new(value)` gives `value`, or undefined when it raises. */
export function rubyIpFamily(value: unknown): 4 | 6 | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return parse(value).family;
  } catch (e) {
    if (e instanceof InvalidIp) return undefined;
    throw e;
  }
}
