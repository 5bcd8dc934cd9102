# One row per value: name, TAB, hex of Marshal.dump, TAB, base64 of inspect.
# Run by marshal's ruby-roundtrip.test.ts as a single process.
require_relative "ruby-prelude"

rows = []
add = ->(name, value) { rows << [name, value] }

[nil, true, false].each { |v| add.(v.inspect, v) }

[0, 1, -1, 4, 5, 122, 123, -123, -124, 255, 256, -256, -257, 65_535, 65_536, -65_536, -65_537,
 2**24 - 1, 2**24, 2**30 - 1, 2**30, -2**30, -2**30 - 1, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
 2**32, 2**48, 2**53 - 1, 2**53, 2**53 + 1, -2**53 - 1, 2**62 - 1, 2**62, -2**62, -2**62 - 1,
 2**63, 2**64 - 1, 2**64, -2**64, 2**100, -2**100, 10**30, 12_345_678_901_234_567_890].each do |n|
  add.("int #{n}", n)
end

[0.0, -0.0, 1.0, -1.0, 1.5, -1.5, 100.0, 1e20, 1e-5, 1e-4, 0.001, 123_456_789.123, 1.0 / 3, 0.1 + 0.2,
 Float::INFINITY, -Float::INFINITY, Float::NAN, 5e-324, Float::MAX, Float::MIN, 2.0**-255, -(2.0**-255),
 1e16, 1e15, 12_345_678_901_234_567.0, 9_007_199_254_740_993.0, 1e300, 2.5e-300, 0.5, 3.14159].each do |f|
  add.("float #{f.inspect}#{f.zero? && 1 / f < 0 ? ' (neg)' : ''}", f)
end
add.("flonum floats link", [1.5, 1.5, 0.0, 0.0, -0.0, 2.0**-255, 2.0**-255])
heap = 1e300
add.("same heap float object", [heap, heap])
add.("distinct heap floats", [1e300 * 1, 1e300 * 1])

{
  "empty" => "",
  "ascii" => "hello",
  "latin" => "ü",
  "cjk" => "日本語",
  "emoji" => "smile 😀",
  "controls" => "\u0000\u0001\u007f\e\a\b\f\v",
  "whitespace" => "tab\tnl\ncr\r",
  "quotes" => "quote\" back\\ hash\#{x} \#$y \#@z #no",
  "unicode controls" => "\u00a0\u0085\u00ad\u200b\u2028\ufeff\u{e0001}\u{10ffff}",
  "invalid utf8" => "ok\xff\xe3\x81".dup.force_encoding("UTF-8"),
  "us-ascii" => "plain".dup.force_encoding("US-ASCII"),
  "us-ascii with high byte" => "a\xffb".dup.force_encoding("US-ASCII"),
  "binary" => "\xff\x00abc\x80".b,
  "shift_jis" => "あいう x".encode("Shift_JIS"),
  "shift_jis broken" => "\x82\xa0\x82\xffz\xa1".dup.force_encoding("Shift_JIS"),
  "euc-jp" => "あé".encode("EUC-JP"),
  "iso-8859-1" => "café".encode("ISO-8859-1"),
  "windows-1252" => "€uro".encode("Windows-1252"),
  "utf-16le" => "é\"\\a".encode("UTF-16LE"),
  "utf-16be" => "😀".encode("UTF-16BE"),
  "long 300" => "x" * 300,
  "long 70000" => "é" * 35_000,
}.each { |name, s| add.("string #{name}", s) }
add.("encoding name links", ["a".encode("Shift_JIS"), "b".encode("Shift_JIS"), "c".encode("EUC-JP"), "d".encode("Shift_JIS")])

[:foo, :"foo bar", :café, :日本, :[]=, :foo?, :foo!, :foo=, :@iv, :@@cv, :$g, :$1, :$-w, :+, :-@, :<=>, :==, :!,
 :"9a", :"a?b", :"@a=", :"1=", :"", :"a\nb", :"foo?=", :Foo=, :"\u200b", :"\u2028", :"[", :"$-", :"@"].each do |s|
  add.("symbol #{s.inspect}", s)
end
add.("symbol shift_jis", "あ".encode("Shift_JIS").to_sym)
add.("symbol binary", "\xff".b.to_sym)
add.("repeated symbols", [:a, :b, :a, :café, :café, :b])

add.("empty array", [])
add.("nested arrays", [1, [2, [3, []]], nil, true, "x", :y])
add.("empty hash", {})
add.("mixed hash", { a: 1, "b" => [2], 3 => nil, nil => true, 1.5 => :x, [1] => {} })
add.("hash default", Hash.new(5).merge!(1 => 2))
add.("hash default string", Hash.new("dflt"))
add.("compare_by_identity hash", {}.compare_by_identity)
add.("ruby2_keywords hash", begin
  o = Object.new
  def o.kw(*a) = a.last
  o.singleton_class.send(:ruby2_keywords, :kw)
  o.kw(k: 1)
end)

shared = "shared"
add.("shared string", [shared, shared, { shared => shared }])
arr = [1]
add.("shared array", [arr, arr, [arr]])
h = { k: "v" }
add.("shared hash", [h, h])
big = 2**70
add.("shared bignum", [big, big])
add.("distinct bignums", [2**70, 2**70, 2**40, 2**40])
rec = [1]
rec << rec
add.("recursive array", rec)
rech = {}
rech[:self] = rech
add.("recursive hash", rech)

[/a.b/i, /x/mix, /café/, /abc/u, /\xff/n, /abc/n, /a\/b/, %r{a/b}, Regexp.new("a/é"), /a\nb/, Regexp.new("a\nb"),
 Regexp.new("a\x01b"), /\//, /[a-z]+\d*/x].each { |r| add.("regexp #{r.inspect}", r) }

add.("struct", Point.new(1, "x"))
add.("struct nested", Point.new(Point.new(nil, 2.5), [Point.new]))
add.("object", Foo.new(1, "s"))
add.("object nested", Foo.new(Foo.new, [1, :x]))
add.("object no ivars", Object.new)
cyc = Foo.new
cyc.instance_variable_set(:@a, cyc)
add.("object cycle", cyc)
add.("class refs", [String, Comparable, Math, Foo, Point, Café])
add.("user defined", UDef.new("abc"))
add.("user defined shift_jis", UDef.new("x".encode("Shift_JIS")))
add.("user defined utf8 and ivars", UDef.new("é".dup.tap { |s| s.instance_variable_set(:@n, 1) }))
u = UDef.new("z")
add.("user defined shared", [u, "mid", u])
add.("marshal_dump", UMar.new([1, "y"]))
m = UMar.new({ a: 1 })
add.("marshal_dump shared", [m, m, UMar.new(nil)])

s2 = +"iv"
s2.instance_variable_set(:@foo, 1)
add.("string with ivar", s2)
a2 = [1]
a2.instance_variable_set(:@foo, "x")
add.("array with ivar", a2)
h2 = { a: 1 }
h2.instance_variable_set(:@foo, :y)
add.("hash with ivar", h2)
add.("extended string", (+"abc").extend(Mod))
add.("extended object", Foo.new(1).extend(Mod))
add.("extended array", [1].extend(Mod))
add.("user class string", MyString.new("abc"))
add.("user class array", MyArray[1, 2])
add.("user class hash", MyHash[1 => 2])
add.("user class extended string", MyString.new("abc").extend(Mod))
add.("user class binary string", MyString.new("\xff".b))

add.("mcollective request", {
  body: Marshal.dump({ agent: "rpcutil", action: "ping", caller: "uid=0", data: { process_results: true } }),
  senderid: "refclient",
  requestid: "58a0959a752f50e499d4f590b11f98c6",
  filter: { "fact" => [{ fact: "role", value: "/w.b/", operator: "=~" }], "cf_class" => [], "agent" => ["rpcutil"],
            "identity" => [], "compound" => [] },
  collective: "mcollective",
  agent: "rpcutil",
  callerid: "uid=0",
  ttl: 60,
  msgtime: 1_795_531_566,
  hash: "56a177a3b2923754f19c67899aaeb0c0".dup.force_encoding("US-ASCII"),
})
add.("daemon_stats reply", { statuscode: 0, statusmsg: "OK",
                             data: { times: { utime: 0.51, stime: 0.12, cutime: 0.0, cstime: 0.0 }, starttime: 1_795_531_000,
                                     total: 12, agents: %w[discovery rpcutil] } })

rows.each_with_index do |(name, value), i|
  label = "#{i} #{name.gsub(/[\t\n]/, ' ')}"
  puts [label, Marshal.dump(value).unpack1("H*"), [value.inspect].pack("m0")].join("\t")
end
