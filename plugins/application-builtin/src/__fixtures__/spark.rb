# MCollective 2.12's Application::Ping#spark, verbatim in behaviour: reads a JSON
# array of reply-time arrays, prints a JSON array of their sparklines.
require "json"
def spark(resp_times)
  ticks=%w[▁ ▂ ▃ ▄ ▅ ▆ ▇]
  histo = {}
  resp_times.each do |time|
    time = Integer(time + 50 - (time % 50))
    histo[time] ||= 0
    histo[time] += 1
  end
  ((histo.keys.max - histo.keys.min) / 50).times do |i|
    time = (i * 50) + histo.keys.min
    histo[time] = 0 unless histo[time]
  end
  histo = histo.keys.sort.map{|k| histo[k]}
  distance = histo.max.to_f / (ticks.size - 1)
  histo.map do |val|
    tick = (val / distance).round
    tick = 0 if tick < 0
    ticks[tick]
  end.join
end
puts JSON.generate(JSON.parse($stdin.read).map { |times| spark(times) })
