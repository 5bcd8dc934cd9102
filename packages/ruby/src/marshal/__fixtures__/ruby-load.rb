# Reads "name TAB hex" lines, Marshal.loads each, prints
# name, TAB, base64 of inspect, TAB, hex of Marshal.dump of the loaded value
# (or "ERROR" and the message). Run by ruby-roundtrip.test.ts as a single process.
require_relative "ruby-prelude"

$stdin.each_line do |line|
  name, hex = line.chomp.split("\t", 2)
  begin
    value = Marshal.load([hex].pack("H*"))
    puts [name, [value.inspect].pack("m0"), Marshal.dump(value).unpack1("H*")].join("\t")
  rescue StandardError => e
    puts [name, "ERROR", [e.message].pack("m0")].join("\t")
  end
end
