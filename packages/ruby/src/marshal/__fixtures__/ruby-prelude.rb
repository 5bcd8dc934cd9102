# Classes the Marshal round-trip tests share between Ruby and Phobos. The
# inspect methods print what Phobos's inspect prints for these shapes.
class Foo
  def initialize(a = nil, b = nil)
    @a = a
    @b = b
  end
end

Point = Struct.new(:x, :y)

class UDef
  def initialize(s) = @s = s
  def _dump(_level) = @s
  def self._load(s) = new(s)
  def inspect = "#<UDef _dump=#{@s.b.inspect}>"
end

class UMar
  def initialize(d) = @d = d
  def marshal_dump = @d
  def marshal_load(d) = @d = d
  def inspect = "#<UMar marshal_dump=#{@d.inspect}>"
end

module Mod; end
class MyString < String; end
class MyArray < Array; end
class MyHash < Hash; end
class Café; end
