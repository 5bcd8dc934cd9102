#!/bin/bash
# Interleaved wall-clock runs of two commands: compare-startup.sh N -- A... -- B...
# prints the min and median of each (ms). Used for the figures in README.md.
n=$1; shift 2
a=(); b=(); cur=a
for x in "$@"; do if [ "$x" = "--" ]; then cur=b; continue; fi; if [ $cur = a ]; then a+=("$x"); else b+=("$x"); fi; done
ta=(); tb=()
for i in $(seq 1 $n); do
  s=$(date +%s%N); "${a[@]}" >/dev/null 2>&1; e=$(date +%s%N); ta+=($(( (e-s)/1000000 )))
  s=$(date +%s%N); "${b[@]}" >/dev/null 2>&1; e=$(date +%s%N); tb+=($(( (e-s)/1000000 )))
done
stat() { printf "%s\n" "$@" | sort -n | awk '{v[NR]=$1} END {printf "min %d ms, median %d ms", v[1], v[int((NR+1)/2)]}'; }
echo "A: $(stat "${ta[@]}")   B: $(stat "${tb[@]}")"
