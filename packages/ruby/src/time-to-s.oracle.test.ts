/**
 * rubyTimeToS against Ruby's own `Time.at(t).to_s` (one Ruby process, which
 * switches TZ between zones as this test does): whole and half-hour offsets,
 * negative offsets, both sides of DST changes, fractions, dates before 1970
 * and after 2038.
 */
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { rubyOnce } from "./__oracle__/run-ruby.js";
import { rubyTimeToS } from "./time-to-s.js";

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "Asia/Kolkata",
  "America/St_Johns",
  "America/Los_Angeles",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
];

const TIMES = [
  0,
  1,
  -1,
  1_000_000_000,
  1_700_000_000.9,
  1_764_979_200, // 2025-12-06
  1_711_846_800 - 1, // just before Europe's 2024 spring change (2024-03-31 01:00 UTC)
  1_711_846_800,
  1_729_990_800 - 1, // just before the 2024 autumn change (2024-10-27 01:00 UTC)
  1_729_990_800,
  1_710_054_000, // 2024-03-10 07:00 UTC: America's spring change
  -2_208_988_800, // 1900-01-01
  -631_152_000, // 1950
  2_147_483_648, // 2038-01-19, past 32-bit time_t
  4_102_444_800, // 2100-01-01
  951_782_400, // 2000-02-29
  -0.5,
];

describe("rubyTimeToS against Ruby's Time#to_s", () => {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });
  const ruby = rubyOnce<Record<string, string[]>>(
    fileURLToPath(new URL("./__oracle__/time-to-s.rb", import.meta.url)),
    () => ({ zones: ZONES, times: TIMES }),
  );

  it(`prints ${TIMES.length} times in ${ZONES.length} zones as Ruby does`, () => {
    const expected = ruby();
    const disagreements: string[] = [];
    for (const tz of ZONES) {
      process.env.TZ = tz;
      TIMES.forEach((t, i) => {
        const theirs = expected[tz]?.[i];
        const fromSeconds = rubyTimeToS(t);
        const fromDate = rubyTimeToS(new Date(Math.floor(t * 1000)));
        if (fromSeconds !== theirs || fromDate !== theirs)
          disagreements.push(`${tz} ${t}: ruby ${theirs} ours ${fromSeconds} / ${fromDate}`);
      });
    }
    expect(disagreements.join("\n")).toBe("");
  }, 60_000);
});
