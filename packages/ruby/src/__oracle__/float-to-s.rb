# Float#to_s of many doubles at once, for src/float-to-s.oracle.test.ts.
# stdin: ["<16 hex digits: the IEEE 754 bits, big-endian>", ...]
# stdout: ["<Float#to_s>", ...]
require "json"

puts JSON.generate(JSON.parse($stdin.read).map { |bits| [bits].pack("H*").unpack1("G").to_s })
