#!/usr/bin/env bash
# Diagnosis benchmark (issue 11): `wsdebug diagnose FILE --json` beside `wsdebug read FILE --json` on
# the same capture of about a million messages, in one run, alternating; prints the medians and the
# ratio (target: diagnose at most 1.2x read) and each one's peak RSS.
#
#   bench/diagnose.sh                    # build; 1,280,000 packets (about 1,000,000 messages); 3 runs each
#   bench/diagnose.sh --packets 200000 --runs 5
#
# The capture comes from dev.wsdebug.bench.PcapGen (--conns 50, seed 1). Both commands decode the
# whole capture through the same pipeline; diagnose adds the analysis and prints only findings.
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
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "diagnose.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ! [[ "$packets" =~ ^[0-9]+$ ]] || ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 20 ]; then
    echo "diagnose.sh: --packets takes a count, --runs 1-20" >&2
    exit 2
fi
if [ -z "${SKIP_BUILD:-}" ]; then
    # shellcheck disable=SC2086 # MVN_OPTS_EXTRA holds options, split on purpose
    mvn -q -B ${MVN_OPTS_EXTRA:-} -DskipTests package -pl cli,bench -am
fi
jar=cli/target/wsdebug.jar
work="${WORK:-$(mktemp -d /tmp/wsdebug-diagbench-XXXXXX)}"
mkdir -p "$work" bench/results
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/diagnose-$stamp.txt
file="$work/diag-$packets.pcap"
if [ ! -f "$file" ]; then
    java -cp bench/target/benchmarks.jar dev.wsdebug.bench.PcapGen --out "$file" --packets "$packets" --conns 50 --seed 1 \
        --port 8080 | tee -a "$out"
fi
echo "# bench/diagnose.sh $(date -u '+%Y-%m-%d %H:%M:%S UTC') load $(cut -d' ' -f1-3 /proc/loadavg) file $file" | tee -a "$out"
cat "$file" > /dev/null
timed() { # $1 label, rest: command; prints "label wall rss"
    local label=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; [ "$label" = diagnose ] || exit 1; }
    t1=$(date +%s.%N)
    echo "$label $(echo "$t1 - $t0" | bc) $(cat "$work/rss")"
}
results=()
for i in $(seq 1 "$runs"); do
    r=$(timed read java -jar "$jar" read "$file" --json); echo "# run $i $r" | tee -a "$out"; results+=("$r")
    d=$(timed diagnose java -jar "$jar" diagnose "$file" --json); echo "# run $i $d" | tee -a "$out"; results+=("$d")
done
median() { printf '%s\n' "${results[@]}" | awk -v l="$1" '$1 == l {print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rss() { printf '%s\n' "${results[@]}" | awk -v l="$1" '$1 == l {print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
r=$(median read); d=$(median diagnose)
printf 'read --json      median %6.2f s  peak RSS %6d MiB\n' "$r" $(( $(rss read) / 1024 )) | tee -a "$out"
printf 'diagnose --json  median %6.2f s  peak RSS %6d MiB\n' "$d" $(( $(rss diagnose) / 1024 )) | tee -a "$out"
ratio=$(echo "scale=3; $d / $r" | bc)
verdict=$(echo "$ratio <= 1.2" | bc)
echo "diagnose / read: ${ratio}x (target <= 1.2x: $([ "$verdict" = 1 ] && echo MET || echo MISSED))" | tee -a "$out"
echo "Saved: $out"
