#!/usr/bin/env bash
# Capture-reading benchmark (issue 9): `wsdebug read FILE --json` beside tshark on the same synthetic
# WebSocket capture, and beside a plain read of the file (the floor), for a file and one N times larger.
#
#   bench/pcap.sh                       # build; 500,000 packets and 4x (2,000,000); 1 run each; check; table
#   bench/pcap.sh --packets 20000       # smoke check (a few seconds per tool)
#   bench/pcap.sh --runs 3              # median of 3 runs per tool and file (1-10)
#   bench/pcap.sh --scale 0             # only the first file (no growth / RSS comparison)
#   bench/pcap.sh --profile             # also a JFR recording of one extra wsdebug run per file: top frames, live heap
#
# The captures come from dev.wsdebug.bench.PcapGen (bench module; deterministic for a seed): --conns
# (50) TCP connections interleaved, each with an HTTP/1.1 upgrade (the correct Sec-WebSocket-Accept;
# permessage-deflate negotiated on every second connection, real deflate with context takeover,
# RSV1 frames), masked JSON text messages from the clients, one to three JSON text replies per request,
# pings and pongs, MSS-sized (1460) segments, pure ACKs; close frames and FINs at the end.
# Measured for each file (all from the page cache: each file is read once before its runs):
#   wsdebug         java <opts> -jar cli/target/wsdebug.jar read FILE --json >/dev/null
#                   (<opts>: what users get, `./wsdebug --print-java-opts read`; WSDEBUG_READ_OPTS overrides)
#   wsdebug-quiet   the same with --filter type=close: everything decoded, only the close frames printed
#                   (not a target; shows what the JSON output costs)
#   wsdebug-also    with --also "JVM OPTIONS": wsdebug read --json once more with these options added
#                   (e.g. --also -Xmx64m: RSS with a bounded heap; --also -XX:TieredStopAtLevel=1)
#   tshark-fields   tshark -r FILE -d tcp.port==PORT,http -Y websocket -T fields -E occurrence=a
#                   -E aggregator='|' -e frame.number -e tcp.stream -e websocket.fin ... -e websocket.payload.text >/dev/null
#   tshark-dissect  tshark -r FILE -d tcp.port==PORT,http -Y websocket -q
#   floor-cat       cat FILE >/dev/null                 (the floor the targets use)
#   floor-java      java -cp bench/target/benchmarks.jar dev.wsdebug.bench.PcapFloor FILE  (JVM start + read loop)
# Wall time from `date +%s.%N` around each command, CPU (user+sys) and peak RSS (max RSS) from /usr/bin/time.
# The check (skip with --no-check) runs wsdebug and tshark once more on the first file with their
# output kept, and compares frame counts, RSV1 counts and every connection's text (dev.wsdebug.bench.PcapCheck).
#
# Options: --packets N (500000) --scale K (4; 0 = no second file) --runs N (1) --conns N (50) --seed N (1)
#          --port N (8080) --no-check --profile --keep (keep the generated files; they are in $WORK)
#          --also "JVM OPTIONS" (an extra wsdebug row, see above)
# Environment: SKIP_BUILD=1 reuses the jars; MVN_OPTS_EXTRA=-o for offline Maven; WORK=DIR where the
#   captures are written (default: a new directory under ${TMPDIR:-/tmp}, removed at the end unless --keep);
#   WSDEBUG_READ_OPTS="..." the JVM options of the wsdebug runs.
# Output: the table, and bench/results/pcap-<stamp>.{txt,tsv} (git-ignored); with --profile also
#   bench/results/pcap-<stamp>-<size>.jfr (read them with dev.wsdebug.bench.JfrTop, or JDK Mission Control).
set -euo pipefail
cd "$(dirname "$0")/.."

packets=500000
scale=4
runs=1
conns=50
seed=1
port=8080
check=1
profile=0
keep=0
also=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --packets) packets=${2:-}; shift 2 ;;
        --scale) scale=${2:-}; shift 2 ;;
        --runs) runs=${2:-}; shift 2 ;;
        --conns) conns=${2:-}; shift 2 ;;
        --seed) seed=${2:-}; shift 2 ;;
        --port) port=${2:-}; shift 2 ;;
        --no-check) check=0; shift ;;
        --profile) profile=1; shift ;;
        --keep) keep=1; shift ;;
        --also) also=${2:-}; shift 2 ;;
        -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
        *) echo "pcap.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
num() { # num OPTION VALUE MIN MAX: exit 2 unless VALUE is a whole number in [MIN, MAX]
    if ! [[ "$2" =~ ^[0-9]+$ ]] || (( $2 < $3 || $2 > $4 )); then
        echo "pcap.sh: $1 must be $3-$4" >&2
        exit 2
    fi
}
num --packets "$packets" 1000 100000000
num --scale "$scale" 0 20
num --runs "$runs" 1 10
num --conns "$conns" 1 60000
num --seed "$seed" 0 999999999
num --port "$port" 1 65535

for tool in tshark /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "pcap.sh: $tool is missing (apt-get install tshark time)" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # shellcheck disable=SC2086
    mvn -q -B -DskipTests package -pl cli,bench -am ${MVN_OPTS_EXTRA:-}
fi
jar=cli/target/wsdebug.jar
bench_jar=bench/target/benchmarks.jar
# the JVM options ./wsdebug gives read, unless given
read -r -a read_opts <<<"${WSDEBUG_READ_OPTS-$(bash ./wsdebug --print-java-opts read)}"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out=bench/results/pcap-$stamp.txt
raw=bench/results/pcap-$stamp.tsv
if [[ -n "${WORK:-}" ]]; then
    mkdir -p "$WORK"
    work=$(mktemp -d "$WORK/pcap-bench.XXXXXX")
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/pcap-bench.XXXXXX")
fi

pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if (( keep )); then
        echo "kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --profile: the JDK's profile.jfc with Java execution samples every 1 ms instead of 10 ms
jfc=$work/profile-1ms.jfc
if (( profile )); then
    java_home=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
    sed 's#control="method-sampling-java-interval">10 ms<#control="method-sampling-java-interval">1 ms<#' \
        "$java_home/lib/jfr/profile.jfc" >"$jfc"
    grep -q 'method-sampling-java-interval">1 ms<' "$jfc" || { echo "pcap.sh: cannot make $jfc" >&2; exit 1; }
fi

fields=(-e frame.number -e tcp.stream -e websocket.fin -e websocket.rsv -e websocket.opcode -e websocket.mask
    -e websocket.payload_length -e websocket.payload_length_ext_16 -e websocket.payload_length_ext_64 -e websocket.pmc
    -e websocket.payload.close.status_code -e websocket.payload.close.reason -e websocket.payload.text)
decode_as=(-d "tcp.port==$port,http")

forget() { # forget PID: drop it from pids (it has ended)
    local keep=() p
    for p in "${pids[@]}"; do
        [[ "$p" == "$1" ]] || keep+=("$p")
    done
    pids=("${keep[@]}")
}

# run_cmd STDOUT CMD...: runs CMD in the background (so that a signal can stop it by pid) under /usr/bin/time;
# sets WALL (s), CPU_USER, CPU_SYS (s), RSS_KIB and STATUS.
run_cmd() {
    local stdout=$1
    shift
    local t0 t1 pid
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S %M' -o "$work/time.txt" "$@" >"$stdout" 2>"$work/stderr.txt" &
    pid=$!
    pids+=("$pid")
    STATUS=0
    wait "$pid" || STATUS=$?
    t1=$(date +%s.%N)
    forget "$pid"
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    read -r CPU_USER CPU_SYS RSS_KIB < <(tail -n 1 "$work/time.txt")
    if (( STATUS != 0 )); then
        echo "pcap.sh: exit status $STATUS from: $*" >&2
        sed 's/^/  | /' "$work/stderr.txt" | tail -n 20 >&2
    fi
}

# measure LABEL FILE PACKETS BYTES TOOL RUN CMD...: one timed run; a raw row into $raw, a line to the console.
measure() {
    local label=$1 file=$2 npk=$3 nbytes=$4 tool=$5 run=$6
    shift 6
    run_cmd /dev/null "$@"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(basename "$file")" "$npk" "$nbytes" "$tool" \
        "$run" "$WALL" "$CPU_USER" "$CPU_SYS" "$RSS_KIB" "$STATUS" "$([[ $tool == wsdebug-also ]] && echo "$also")" >>"$raw"
    printf '# %-4s run %d %-15s wall %8.2f s  user %7.2f s  sys %6.2f s  max RSS %7.1f MiB  exit %d  load %s\n' \
        "$label" "$run" "$tool" "$WALL" "$CPU_USER" "$CPU_SYS" "$(awk -v k="$RSS_KIB" 'BEGIN { print k / 1024 }')" \
        "$STATUS" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out"
}

{
    echo "# bench/pcap.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc=$(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# packets=$packets scale=$scale runs=$runs conns=$conns seed=$seed port=$port check=$check also=${also:-(none)}"
    echo "# CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1); RAM: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    java -version 2>&1 | sed 's/^/# /'
    echo "# $(tshark --version 2>/dev/null | head -n1); $(cat --version | head -n1)"
    echo "# wsdebug JVM options: ${read_opts[*]:-(none)}"
    echo "# work dir: $work"
} | tee "$out"

sizes=(1x)
(( scale > 0 )) && sizes+=("${scale}x")
for label in "${sizes[@]}"; do
    n=$packets
    [[ "$label" != 1x ]] && n=$((packets * scale))
    file=$work/ws-$label.pcap
    echo "# generating $label: PcapGen --packets $n --conns $conns --seed $seed --port $port" | tee -a "$out"
    java -cp "$bench_jar" dev.wsdebug.bench.PcapGen --out "$file" --packets "$n" --conns "$conns" --seed "$seed" \
        --port "$port" | tee "$work/gen-$label.txt" | sed 's/^/# /' | tee -a "$out"
    npk=$(sed -n 's/.*PCAPGEN packets=\([0-9]*\).*/\1/p' "$work/gen-$label.txt")
    nbytes=$(stat -c %s "$file")
    cat "$file" >/dev/null # into the page cache: every tool below reads it from memory

    for run in $(seq "$runs"); do
        measure "$label" "$file" "$npk" "$nbytes" floor-cat "$run" cat "$file"
        measure "$label" "$file" "$npk" "$nbytes" floor-java "$run" java -cp "$bench_jar" dev.wsdebug.bench.PcapFloor "$file"
        measure "$label" "$file" "$npk" "$nbytes" wsdebug "$run" java "${read_opts[@]}" -jar "$jar" read "$file" --json
        measure "$label" "$file" "$npk" "$nbytes" wsdebug-quiet "$run" java "${read_opts[@]}" -jar "$jar" read "$file" --json \
            --filter type=close
        if [[ -n "$also" ]]; then
            # shellcheck disable=SC2086
            measure "$label" "$file" "$npk" "$nbytes" wsdebug-also "$run" java "${read_opts[@]}" $also -jar "$jar" read "$file" --json
        fi
        measure "$label" "$file" "$npk" "$nbytes" tshark-fields "$run" tshark -r "$file" "${decode_as[@]}" -Y websocket \
            -T fields -E occurrence=a -E 'aggregator=|' "${fields[@]}"
        measure "$label" "$file" "$npk" "$nbytes" tshark-dissect "$run" tshark -r "$file" "${decode_as[@]}" -Y websocket -q
    done

    if [[ "$label" == 1x ]] && (( check )); then
        echo "# check: wsdebug and tshark once more with their output kept, compared (PcapCheck)" | tee -a "$out"
        run_cmd "$work/ws.jsonl" java "${read_opts[@]}" -jar "$jar" read "$file" --json
        (( STATUS == 0 )) || exit 1
        run_cmd "$work/ts.tsv" tshark -r "$file" "${decode_as[@]}" -Y websocket -T fields -E occurrence=a -E 'aggregator=|' "${fields[@]}"
        (( STATUS == 0 )) || exit 1
        if ! java -cp "$bench_jar" dev.wsdebug.bench.PcapCheck "$work/gen-$label.txt" "$work/ts.tsv" "$work/ws.jsonl" | tee -a "$out"; then
            echo "pcap.sh: wsdebug and tshark disagree (see above); the figures are not comparable" | tee -a "$out" >&2
            check_failed=1
        fi
        rm -f "$work/ws.jsonl" "$work/ts.tsv"
    fi
    if (( profile )); then
        jfr=bench/results/pcap-$stamp-$label.jfr
        echo "# profile: one more wsdebug run with -XX:StartFlightRecording (JDK profile settings, Java samples every 1 ms) -> $jfr" | tee -a "$out"
        run_cmd /dev/null java "${read_opts[@]}" -XX:FlightRecorderOptions=stackdepth=128 \
            "-XX:StartFlightRecording=filename=$jfr,settings=$jfc" \
            -jar "$jar" read "$file" --json
        echo "# (that run: wall $WALL s, not in the table)" | tee -a "$out"
        java -cp "$bench_jar" dev.wsdebug.bench.JfrTop "$jfr" | tee -a "$out"
    fi
    (( keep )) || rm -f "$file"
done

echo "# done  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
java -cp "$bench_jar" dev.wsdebug.bench.PcapSummary "$raw" | tee -a "$out"
echo
echo "Saved: $out and $raw"
[[ "${check_failed:-0}" == 0 ]]
