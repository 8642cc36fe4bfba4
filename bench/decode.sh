#!/usr/bin/env bash
# Payload decoding benchmark (issue 13): `wsdebug read FILE --json` with the protocol decoders on
# (the default: here every message is Socket.IO) beside `--decode none`, on the same capture of about
# a million Socket.IO messages, in one run, alternating; prints the medians, the speed ratio (target:
# decoding at >= 0.7x the speed without it) and each one's peak RSS. Also checks that the decoded
# run did decode: its output must carry as many "decoded" Socket.IO messages as there are messages.
#
#   bench/decode.sh                      # build; 1,280,000 packets (about 1,000,000 messages); 3 runs each
#   bench/decode.sh --packets 200000 --runs 5
#
# The capture comes from dev.wsdebug.bench.PcapGen --socketio (--conns 50, seed 1): EIO=4 URLs,
# clients emit events with ack ids, the server answers with the ACK and more events.
# Environment: SKIP_BUILD=1 reuses the jars; MVN_OPTS_EXTRA=-o for offline Maven; WORK=DIR keeps the
# capture there (and reuses it when it is there).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
packets=1280000
runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --packets) packets="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "decode.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ! [[ "$packets" =~ ^[0-9]+$ ]] || ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 20 ]; then
    echo "decode.sh: --packets takes a count, --runs 1-20" >&2
    exit 2
fi
if [ -z "${SKIP_BUILD:-}" ]; then
    # shellcheck disable=SC2086 # MVN_OPTS_EXTRA holds options, split on purpose
    mvn -q -B ${MVN_OPTS_EXTRA:-} -DskipTests package -pl cli,bench -am
fi
jar=cli/target/wsdebug.jar
work="${WORK:-$(mktemp -d /tmp/wsdebug-decodebench-XXXXXX)}"
mkdir -p "$work" bench/results
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/decode-$stamp.txt
file="$work/socketio-$packets.pcap"
if [ ! -f "$file" ]; then
    java -cp bench/target/benchmarks.jar dev.wsdebug.bench.PcapGen --out "$file" --packets "$packets" --conns 50 --seed 1 \
        --port 8080 --socketio | tee -a "$out"
fi
echo "# bench/decode.sh $(date -u '+%Y-%m-%d %H:%M:%S UTC') load $(cut -d' ' -f1-3 /proc/loadavg) file $file" | tee -a "$out"
cat "$file" > /dev/null
# the decoded output once, to check that decoding happened (not timed)
java -jar "$jar" read "$file" --json > "$work/decoded.jsonl"
messages=$(grep -c '"event":"message"' "$work/decoded.jsonl" || true)
decoded=$(grep -c '"decoded":{"protocol":"socket.io"' "$work/decoded.jsonl" || true)
paired=$(grep -c '"reply":{' "$work/decoded.jsonl" || true)
echo "# messages $messages, decoded as socket.io $decoded, acks paired with their events $paired" | tee -a "$out"
if [ "$messages" -eq 0 ] || [ "$decoded" -ne "$messages" ]; then
    echo "decode.sh: the decoded run did not decode every message as socket.io" >&2
    exit 1
fi
rm -f "$work/decoded.jsonl"
timed() { # $1 label, rest: command; prints "label wall rss"
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$label $(echo "$t1 - $t0" | bc) $(cat "$work/rss")"
}
results=()
for i in $(seq 1 "$runs"); do
    if [ $((i % 2)) -eq 1 ]; then
        a=$(timed plain java -jar "$jar" read "$file" --json --decode none); b=$(timed decoded java -jar "$jar" read "$file" --json)
    else
        b=$(timed decoded java -jar "$jar" read "$file" --json); a=$(timed plain java -jar "$jar" read "$file" --json --decode none)
    fi
    echo "# run $i $a" | tee -a "$out"; echo "# run $i $b" | tee -a "$out"; results+=("$a" "$b")
done
median() { printf '%s\n' "${results[@]}" | awk -v l="$1" '$1 == l {print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rss() { printf '%s\n' "${results[@]}" | awk -v l="$1" '$1 == l {print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median plain); d=$(median decoded)
printf 'read --json --decode none  median %6.2f s  peak RSS %6d MiB\n' "$p" $(( $(rss plain) / 1024 )) | tee -a "$out"
printf 'read --json (decoding)     median %6.2f s  peak RSS %6d MiB\n' "$d" $(( $(rss decoded) / 1024 )) | tee -a "$out"
speed=$(echo "scale=3; $p / $d" | bc)
verdict=$(echo "$speed >= 0.7" | bc)
echo "speed with decoding / without: ${speed}x (target >= 0.7x: $([ "$verdict" = 1 ] && echo MET || echo MISSED))" | tee -a "$out"
echo "Saved: $out"
