#!/usr/bin/env bash
# Web UI scale benchmark (issue 10): a capture of about a million messages opened by `wsdebug ui`,
# and how long the API takes to give a page what it shows first, deep in the list, the timeline
# and a search. The page itself only ever asks for these (paged, aggregated by the server), so
# these times bound what a user waits for.
#
#   bench/ui.sh                     # build; about 1,000,000 messages on 2 connections; 5 runs per request
#   bench/ui.sh --packets 200000    # smaller (about 150,000 messages)
#   bench/ui.sh --runs 9
#
# Steps: dev.wsdebug.bench.PcapGen writes a pcap (--packets, default 1,280,000, on 2 connections:
# masked JSON text messages, half the connections deflated); `wsdebug read FILE --save X.wsdb`
# turns it into a capture store (timed: the cost of opening a pcap in the UI, which does the same);
# `wsdebug ui X.wsdb` serves it; curl times each request (total time, from connect to last byte),
# --runs times, and the median, min and max are printed. Requests (connection 1 is the larger):
#   grid             GET /api/captures/1/connections
#   first rows       GET /api/captures/1/connections/1/items?limit=200
#   deep rows        GET …/items?limit=200&after=<seq 90 % through the connection>
#   item             GET …/items/<that seq>
#   timeline         GET …/timeline?buckets=400
#   search           GET /api/captures/1/search?q=<a word of the generator>&limit=200
#   text filter      GET …/items?limit=200&q=<a rare string> (scans up to 200,000 rows)
# Environment: SKIP_BUILD=1 reuses the jars; MVN_OPTS_EXTRA=-o for offline Maven; WORK=DIR keeps the
# files there (and a later run with the same WORK reuses its ui.wsdb).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
packets=1280000
runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --packets) packets="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "ui.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ! [[ "$packets" =~ ^[0-9]+$ ]] || ! [[ "$runs" =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 50 ]; then
    echo "ui.sh: --packets takes a count, --runs 1-50" >&2
    exit 2
fi
if [ -z "${SKIP_BUILD:-}" ]; then
    # shellcheck disable=SC2086 # MVN_OPTS_EXTRA holds options, split on purpose
    mvn -q -B ${MVN_OPTS_EXTRA:-} -DskipTests package -pl cli,bench -am
fi
jar=cli/target/wsdebug.jar
bench_jar=bench/target/benchmarks.jar
work="${WORK:-$(mktemp -d /tmp/wsdebug-uibench-XXXXXX)}"
mkdir -p "$work" bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/ui-$stamp.txt
ui_pid=""
cleanup() {
    if [ -n "$ui_pid" ]; then kill "$ui_pid" 2>/dev/null || true; wait "$ui_pid" 2>/dev/null || true; fi
    [ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "$*" | tee -a "$out"; }
say "# bench/ui.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  load: $(cut -d' ' -f1-3 /proc/loadavg)  nproc $(nproc)"
if [ -n "${WORK:-}" ] && [ -f "$work/ui.wsdb" ]; then
    say "# reusing $work/ui.wsdb (WORK given and the store is there)"
else
    java -cp "$bench_jar" dev.wsdebug.bench.PcapGen --out "$work/ui.pcap" --packets "$packets" --conns 2 --seed 7 --port 8080 \
        | tee -a "$out"
    t0=$(date +%s.%N)
    java -jar "$jar" read "$work/ui.pcap" --save "$work/ui.wsdb" > /dev/null 2> "$work/read.err" || { cat "$work/read.err" >&2; exit 1; }
    t1=$(date +%s.%N)
    say "# read --save: $(echo "$t1 - $t0" | bc) s, store $(du -m "$work/ui.wsdb" | cut -f1) MB"
fi

java -jar "$jar" ui "$work/ui.wsdb" > "$work/ui.log" 2>&1 &
ui_pid=$!
url=""
for _ in $(seq 1 300); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[A-Za-z0-9_-]*' "$work/ui.log" || true)
    [ -n "$url" ] && break
    kill -0 "$ui_pid" 2>/dev/null || { cat "$work/ui.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "ui.sh: the UI did not start: $(cat "$work/ui.log")" >&2; exit 1; }
base=${url%%/?token=*}
token=${url##*token=}
api() { curl -sf -H "X-Wsdebug-Token: $token" "$base$1"; }

total=$(api "/api/captures/1/connections/1/items?limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
deep=$(( total * 9 / 10 ))
# the seq of the row at 90 %: the items API pages by seq, so ask for the page after a seq near there
maxseq=$(api "/api/captures/1/connections" | python3 -c 'import json,sys; c=json.load(sys.stdin)["connections"][0]; print(c["sent"]["messages"]+c["received"]["messages"])')
after=$(( maxseq * 9 / 10 ))
rows=$(api "/api/captures/1/connections/1/items?limit=1&after=$after")
seq=$(echo "$rows" | sed -n 's/.*"seq":\([0-9]*\).*/\1/p' | head -1)
say "# connection 1: $total rows (messages and control frames); deep page after seq $after (row ~$deep)"

requests=(
    "grid|/api/captures/1/connections"
    "first rows|/api/captures/1/connections/1/items?limit=200"
    "deep rows|/api/captures/1/connections/1/items?limit=200&after=$after"
    "item|/api/captures/1/connections/1/items/$seq"
    "timeline|/api/captures/1/connections/1/timeline?buckets=400"
    "search|/api/captures/1/search?q=partition&limit=200"
    "text filter|/api/captures/1/connections/1/items?limit=200&q=no-such-text-anywhere"
)
printf '%-12s %8s %8s %8s %10s\n' request "median" min max bytes | tee -a "$out"
for r in "${requests[@]}"; do
    name=${r%%|*}
    path=${r#*|}
    times=()
    size=0
    for _ in $(seq 1 "$runs"); do
        line=$(curl -sf -o /dev/null -w '%{time_total} %{size_download}' -H "X-Wsdebug-Token: $token" "$base$path")
        times+=("${line% *}")
        size=${line#* }
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
    printf '%-12s %7.3fs %7.3fs %7.3fs %10s\n' "$name" "$median" "$(echo "$sorted" | head -1)" \
        "$(echo "$sorted" | tail -1)" "$size" | tee -a "$out"
done
say "# ui peak RSS so far: $(grep VmHWM /proc/$ui_pid/status | tr -s ' ' | cut -d' ' -f2-)"
say "Saved: $out"
