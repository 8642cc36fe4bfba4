#!/usr/bin/env bash
# Echo-server benchmark: `wsdebug serve` against a Node ws echo server (bench/node/echo.js), the
# same load client (dev.wsdebug.bench.EchoLoad) against both, in the same run, on 127.0.0.1 only.
#
#   bench/echo.sh                    # build, 3 runs of every scenario, table at the end
#   bench/echo.sh --runs 2           # fewer runs (at least 1, at most 10)
#   bench/echo.sh --no-deflate-row   # skip the extra permessage-deflate row
#   bench/echo.sh --no-h2-rows       # skip the HTTP/2 rows (serve --http2: h2 against h1)
#   bench/echo.sh --only-h2-rows     # only the HTTP/2 rows (no node, no deflate row)
#   bench/echo.sh --warmup 2 --duration 5   # seconds per scenario (the defaults)
#
# Scenarios (each: --warmup s of load, then --duration s measured, on fresh client connections):
#   pingpong   1 connection, 1 message in flight, 16 B text      -> round trips/s
#   tp-16B     16 connections x 16 in flight, 16 B binary         -> messages echoed/s
#   tp-1KiB    16 x 16, 1 KiB binary
#   tp-16KiB   16 x 16, 16 KiB binary
#   tp-1KiB-deflate (optional) 16 x 16, 1 KiB compressible text-like binary, permessage-deflate
#                   offered by the client, on a second pair of servers that accept it
# HTTP/2 rows (optional): pingpong and the tp-* scenarios against ONE `serve --http2 --no-compress`
#   process, over HTTP/1.1 (a TCP connection per WebSocket, label serve-h1) and over HTTP/2 (EchoLoad
#   --h2: every WebSocket a stream of one h2c prior-knowledge connection, RFC 8441; serve-h2), h2/h1.
# Both servers start once (serve with --no-compress, node without deflate) and are primed with
# 1 + 2 s of every scenario first (discarded); within each run the two servers alternate which
# goes first.
# The client reads the server's utime+stime from /proc/PID/stat (divided by `getconf CLK_TCK`)
# at the start and end of each measured interval.
#
# Environment: SKIP_BUILD=1 skips the Maven build; MVN_OPTS_EXTRA="-o" is appended to mvn;
# SERVE_JVM_OPTS (default "-Xms512m -Xmx512m") are the server JVM's flags, CLIENT_JVM_OPTS
# (default "-Xms256m -Xmx256m") the client's; NODE_WS_MODULES (default test-peers/node/node_modules,
# installed by scripts/install-peers.sh) is the node_modules folder ws is loaded from, e.g. one
# that also holds ws's optional native helper bufferutil.
# Output: the tables, and all raw lines in bench/results/echo-<stamp>.txt (git-ignored), with the
# servers' own output (if any) in bench/results/echo-<stamp>-<server>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
warmup=2
duration=5
deflate_row=1
h2_rows=1
main_rows=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --no-deflate-row) deflate_row=0; shift ;;
        --no-h2-rows) h2_rows=0; shift ;;
        --only-h2-rows) h2_rows=1; main_rows=0; deflate_row=0; shift ;;
        -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
        *) echo "echo.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
if ! [[ "$runs" =~ ^[0-9]+$ ]] || (( runs < 1 || runs > 10 )); then
    echo "echo.sh: --runs must be 1-10" >&2
    exit 2
fi

SERVE_JVM_OPTS=${SERVE_JVM_OPTS:--Xms512m -Xmx512m}
CLIENT_JVM_OPTS=${CLIENT_JVM_OPTS:--Xms256m -Xmx256m}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # shellcheck disable=SC2086
    mvn -q -B -DskipTests package -pl cli,bench -am ${MVN_OPTS_EXTRA:-}
fi
node_modules=${NODE_WS_MODULES:-$PWD/test-peers/node/node_modules}
if [[ -z "${NODE_WS_MODULES:-}" && ! -f "$node_modules/ws/package.json" ]]; then
    scripts/install-peers.sh
fi
jar=cli/target/wsdebug.jar
bench_jar=bench/target/benchmarks.jar
clk_tck=$(getconf CLK_TCK)

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out=bench/results/echo-$stamp.txt
work=$(mktemp -d)

pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    local log
    for log in "$work"/*.log; do
        [[ -s "$log" ]] && cp "$log" "${out%.txt}-$(basename "$log")"
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME CMD...: starts it in the background, waits (at most 30 s) for its
# "listening on ws://127.0.0.1:PORT" line (with --http2 followed by " (...)"); sets PID_<NAME> and PORT_<NAME>.
start_server() {
    local name=$1
    shift
    "$@" >"$work/$name.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    local port=""
    for _ in $(seq 300); do
        port=$(sed -n 's#^listening on ws://127\.0\.0\.1:\([0-9][0-9]*\)\( (.*)\)\{0,1\}$#\1#p' "$work/$name.log" | head -n1)
        [[ -n "$port" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "echo.sh: $name did not start:" >&2
        cat "$work/$name.log" >&2
        exit 1
    fi
    printf -v "PID_$name" '%s' "$pid"
    printf -v "PORT_$name" '%s' "$port"
    echo "# $name: pid $pid, port $port: $*" | tee -a "$out"
}

stop_server() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# load SCENARIO SERVER_NAME PID PORT CLIENT_ARGS...: one client run; its RESULT line goes to $out.
load() {
    local scenario=$1 server=$2 pid=$3 port=$4
    shift 4
    local line
    # shellcheck disable=SC2086
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "echo.sh: the $server server (pid $pid) is gone; its log is kept next to $out" >&2
        exit 1
    fi
    if ! line=$(timeout 120 java $CLIENT_JVM_OPTS -cp "$bench_jar" dev.wsdebug.bench.EchoLoad \
            --port "$port" --pid "$pid" --clk-tck "$clk_tck" --label "$server" --scenario "$scenario" "$@" | grep '^RESULT'); then
        echo "echo.sh: $scenario against $server failed$(kill -0 "$pid" 2>/dev/null || echo "; the server (pid $pid) is gone, its log is kept next to $out")" >&2
        exit 1
    fi
    if [[ "$scenario" == prime-* ]]; then
        echo "# $line" >>"$out"
    else
        echo "$line" | tee -a "$out"
    fi
}

scenario_args() {
    case "$1" in
        pingpong) echo "--conns 1 --inflight 1 --size 16 --text" ;;
        tp-16B) echo "--conns 16 --inflight 16 --size 16" ;;
        tp-1KiB) echo "--conns 16 --inflight 16 --size 1024" ;;
        tp-16KiB) echo "--conns 16 --inflight 16 --size 16384" ;;
        tp-1KiB-deflate) echo "--conns 16 --inflight 16 --size 1024 --deflate" ;;
    esac
}

# run_all SERVE_NAME NODE_NAME SCENARIOS...: every scenario against both, $runs times,
# alternating which server goes first.
run_all() {
    local serve=$1 node=$2
    shift 2
    local run scenario first second name pid port
    for run in $(seq "$runs"); do
        echo "# run $run/$runs  load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
        for scenario in "$@"; do
            if (( run % 2 == 1 )); then first=$serve; second=$node; else first=$node; second=$serve; fi
            for name in "$first" "$second"; do
                pid=PID_$name
                port=PORT_$name
                # shellcheck disable=SC2046
                load "$scenario" "${name%%_*}" "${!pid}" "${!port}" --warmup "$warmup" --duration "$duration" $(scenario_args "$scenario")
            done
        done
    done
}

# prime "SCENARIOS" SERVER_NAMES...: a short discarded run of each scenario against each server,
# so that the JVM's JIT has compiled the paths every scenario takes before anything is measured.
prime() {
    local scenarios=$1 name pid port scenario
    shift
    for name in "$@"; do
        pid=PID_$name
        port=PORT_$name
        echo "# priming $name (discarded)" | tee -a "$out"
        for scenario in $scenarios; do
            # shellcheck disable=SC2046
            load "prime-$scenario" "${name%%_*}" "${!pid}" "${!port}" --warmup 1 --duration 2 $(scenario_args "$scenario") >/dev/null
        done
    done
}

# h2_all SCENARIOS...: every scenario against the serve_h2 server over HTTP/1.1 (label serve-h1)
# and over HTTP/2 (serve-h2), $runs times, alternating which transport goes first.
h2_all() {
    local run scenario order transport
    for run in $(seq "$runs"); do
        echo "# h2 run $run/$runs  load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
        for scenario in "$@"; do
            if (( run % 2 == 1 )); then order="h1 h2"; else order="h2 h1"; fi
            for transport in $order; do
                # shellcheck disable=SC2046
                load "$scenario" "serve-$transport" "$PID_serve_h2" "$PORT_serve_h2" --warmup "$warmup" --duration "$duration" \
                    $(scenario_args "$scenario") $([[ $transport == h2 ]] && echo --h2)
            done
        done
    done
}

{
    echo "# bench/echo.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc=$(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# runs=$runs warmup=${warmup}s duration=${duration}s CLK_TCK=$clk_tck"
    echo "# serve JVM: $SERVE_JVM_OPTS   client JVM: $CLIENT_JVM_OPTS"
    java -version 2>&1 | sed 's/^/# /'
    echo "# node $(node --version), ws $(node -p "require('$node_modules/ws/package.json').version") from $node_modules," \
        "bufferutil: $(node -p "try { require('$node_modules/bufferutil/package.json').version } catch (e) { 'absent' }")"
} | tee "$out"

export NODE_PATH=$node_modules
if (( main_rows )); then
    # shellcheck disable=SC2086
    start_server serve java $SERVE_JVM_OPTS -jar "$jar" serve --port 0 --quiet --no-compress
    start_server node node bench/node/echo.js --port 0
    prime "pingpong tp-16B tp-1KiB tp-16KiB" serve node
    run_all serve node pingpong tp-16B tp-1KiB tp-16KiB
    stop_server "$PID_serve"
    stop_server "$PID_node"
fi

if (( deflate_row )); then
    # shellcheck disable=SC2086
    start_server serve_deflate java $SERVE_JVM_OPTS -jar "$jar" serve --port 0 --quiet
    start_server node_deflate node bench/node/echo.js --port 0 --deflate
    prime tp-1KiB-deflate serve_deflate node_deflate
    run_all serve_deflate node_deflate tp-1KiB-deflate
    stop_server "$PID_serve_deflate"
    stop_server "$PID_node_deflate"
fi

if (( h2_rows )); then
    # shellcheck disable=SC2086
    start_server serve_h2 java $SERVE_JVM_OPTS -jar "$jar" serve --port 0 --quiet --no-compress --http2
    echo "# priming serve_h2 over h1 and h2 (discarded)" | tee -a "$out"
    for scenario in pingpong tp-16B tp-1KiB tp-16KiB; do
        for transport in h1 h2; do
            # shellcheck disable=SC2046
            load "prime-$scenario" "serve-$transport" "$PID_serve_h2" "$PORT_serve_h2" --warmup 1 --duration 2 \
                $(scenario_args "$scenario") $([[ $transport == h2 ]] && echo --h2) >/dev/null
        done
    done
    h2_all pingpong tp-16B tp-1KiB tp-16KiB
    stop_server "$PID_serve_h2"
fi

echo "# done  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
java -cp "$bench_jar" dev.wsdebug.bench.EchoSummary "$out" | tee -a "$out"
echo
echo "Saved: $out"
