#!/usr/bin/env bash
# Proxy benchmark: the same load client (dev.wsdebug.bench.ProxyLoad) and the same echo server
# (wsdebug serve --quiet --no-compress) through five paths, one after another:
#   direct | socat TCP relay | wsdebug proxy -q | wsdebug proxy -q --save | mitmdump --mode reverse
# For each path: (a) max throughput, 8 connections x 16 in flight x 1 KiB binary messages
# (2 s warm-up + 10 s) -> msgs/s; (b) 5 000 msg/s offered of 256-byte messages over 4 connections
# (2 s warm-up + 10 s) -> round-trip p50/p99/p99.9/max; added latency = path - direct of the same run.
# Then, once, the wsdebug proxy's RSS growth per GiB relayed (64 KiB messages, with and without --save).
# Then the HTTP/2 rows (issue 12), with the HTTP/2 load client (dev.wsdebug.bench.EchoLoad --h2: every
# WebSocket a stream of one h2c connection) and serve --http2: 16 WebSockets x 16 in flight x 1 KiB,
# direct, through socat, and through the wsdebug proxy with HTTP/2 on both sides (--upstream-http 2);
# beside them the same client over HTTP/1.1 (16 TCP connections) through the proxy.
#
#   bench/proxy.sh                      # build + RUNS=2 full runs + RSS + summary
# Environment (all optional):
#   RUNS=2            full runs (each path measured once per run; the summary takes the median)
#   TP_SECONDS=10 LAT_SECONDS=10 WARMUP=2 RATE=5000   measurement parameters
#   RSS_BYTES=1G      payload to relay per RSS step (two steps after a 128 MiB warm-up); RSS=0 skips it
#   PIN=1             pin the echo server to CPU 0 and the relay to CPU 1 (the client floats)
#   JFR=DIR           record a JFR profile of each wsdebug proxy during its throughput phase into DIR
#   BASE_PORT=18900   ports BASE..BASE+4 on 127.0.0.1 must be free
#   SKIP_BUILD=1      reuse the jars; MVN_OPTS_EXTRA=-o for offline Maven
#   PATHS="direct socat wsdebug-save"   measure only these paths (ratios need socat and mitmdump)
#   H2=0              skip the HTTP/2 rows (ports BASE+5..BASE+8 are used for them)
#   PROXY_JAVA_OPTS="..."  JVM options of the wsdebug proxies (default: what ./wsdebug uses for proxy)
# wsdebug-save: stopping the proxy closes the capture, which first derives the frame and message rows
# the recording left for later; the script waits for that (up to 10 min) and prints how long it took.
# Output: the tables on stdout and in bench/results/proxy-<stamp>.txt (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-2}
TP_SECONDS=${TP_SECONDS:-10}
LAT_SECONDS=${LAT_SECONDS:-10}
WARMUP=${WARMUP:-2}
RATE=${RATE:-5000}
RSS_BYTES=${RSS_BYTES:-1G}
RSS=${RSS:-1}
PIN=${PIN:-0}
JFR=${JFR:-}
BASE_PORT=${BASE_PORT:-18900}
# the JVM options ./wsdebug uses for proxy (see the launcher), unless given
PROXY_JAVA_OPTS=${PROXY_JAVA_OPTS-$(bash ./wsdebug --print-java-opts proxy)}

SERVER_PORT=$BASE_PORT
SOCAT_PORT=$((BASE_PORT + 1))
WSD_PORT=$((BASE_PORT + 2))
WSD_SAVE_PORT=$((BASE_PORT + 3))
MITM_PORT=$((BASE_PORT + 4))
read -r -a PATHS <<<"${PATHS:-direct socat wsdebug wsdebug-save mitmdump}"
H2=${H2:-1}
H2_SERVER_PORT=$((BASE_PORT + 5))
H2_SOCAT_PORT=$((BASE_PORT + 6))
H2_WSD_PORT=$((BASE_PORT + 7))
H1_WSD_PORT=$((BASE_PORT + 8))

# ---------------------------------------------------------------- tools and build

apt_updated=0
need() { # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo="sudo -n"
    echo "installing $2 (apt-get)" >&2
    if [[ $apt_updated == 0 ]]; then
        $sudo apt-get update -qq >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
    command -v "$1" >/dev/null 2>&1 || { echo "bench/proxy.sh: $1 is still missing" >&2; exit 1; }
}
need socat socat
need mitmdump mitmproxy

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # shellcheck disable=SC2086
    mvn -q -B -DskipTests package -pl cli,bench -am ${MVN_OPTS_EXTRA:-}
fi
WSDEBUG=cli/target/wsdebug.jar
LOAD=(java -cp bench/target/benchmarks.jar dev.wsdebug.bench.ProxyLoad)

for p in $(seq "$BASE_PORT" $((BASE_PORT + 8))); do
    if ss -Hltn "sport = :$p" | grep -q .; then
        echo "bench/proxy.sh: port $p is in use; set BASE_PORT" >&2
        exit 1
    fi
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out=bench/results/proxy-$stamp.txt
raw=bench/results/proxy-$stamp.tsv
TMPD=$(mktemp -d /tmp/wsdebug-proxy-bench.XXXXXX)

# ---------------------------------------------------------------- processes (stopped by pid)

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop() { # stop PID [SECONDS]: TERM, wait up to SECONDS (10), then KILL
    local pid=$1 i
    kill "$pid" 2>/dev/null || true
    for i in $(seq $((${2:-10} * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local keep=()
    for i in "${PIDS[@]}"; do
        [[ $i == "$pid" ]] || keep+=("$i")
    done
    PIDS=("${keep[@]}")
}

wait_port() { # wait_port PORT PID: until something accepts on 127.0.0.1:PORT (30 s at most)
    local i
    for i in $(seq 300); do
        kill -0 "$2" 2>/dev/null || { echo "bench/proxy.sh: process $2 died before listening on $1" >&2; exit 1; }
        ss -Hltn "sport = :$1" | grep -q . && return 0
        sleep 0.1
    done
    echo "bench/proxy.sh: nothing listens on $1 after 30 s" >&2
    exit 1
}

pin() { # pin CPU: the taskset prefix when PIN=1
    [[ $PIN == 1 ]] && echo "taskset -c $1"
    return 0
}

LAST_PID=""
PORT=""
start_relay() { # start_relay PATH: sets LAST_PID and PORT (not to be called in a subshell)
    local path=$1 port log=$TMPD/$1.log
    case $path in
        socat)
            port=$SOCAT_PORT
            $(pin 1) socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" "TCP:127.0.0.1:$SERVER_PORT" \
                >"$log" 2>&1 &
            ;;
        wsdebug)
            port=$WSD_PORT
            # shellcheck disable=SC2086
            $(pin 1) java $PROXY_JAVA_OPTS -jar "$WSDEBUG" proxy -q --listen "127.0.0.1:$port" --to "ws://127.0.0.1:$SERVER_PORT" \
                >"$log" 2>&1 &
            ;;
        wsdebug-save)
            port=$WSD_SAVE_PORT
            rm -f "$TMPD/capture.wsdb"*
            # shellcheck disable=SC2086
            $(pin 1) java $PROXY_JAVA_OPTS -jar "$WSDEBUG" proxy -q --listen "127.0.0.1:$port" --to "ws://127.0.0.1:$SERVER_PORT" \
                --save "$TMPD/capture.wsdb" >"$log" 2>&1 &
            ;;
        mitmdump)
            port=$MITM_PORT
            $(pin 1) mitmdump --mode "reverse:http://127.0.0.1:$SERVER_PORT" --listen-host 127.0.0.1 \
                --listen-port "$port" -q --set "confdir=$TMPD/mitmproxy" >"$log" 2>&1 &
            ;;
    esac
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    wait_port "$port" "$LAST_PID"
    PORT=$port
}

kv() { # kv KEY LINE: the value of KEY=... in a ProxyLoad line
    tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"
}

rss_kb() { # rss_kb PID [FIELD]: VmRSS (or RssAnon, RssFile) in KiB
    awk -v f="${2:-VmRSS}:" '$1 == f {print $2}' "/proc/$1/status"
}

log() {
    echo "$*" | tee -a "$out"
}

# ---------------------------------------------------------------- header

{
    echo "# bench/proxy.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc=$(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    java -version 2>&1 | sed 's/^/# /'
    echo "# $(socat -V | sed -n 2p)"
    echo "# $(mitmdump --version 2>/dev/null | head -1)"
    echo "# runs=$RUNS throughput: 8 conns x 16 in flight x 1024 B, ${WARMUP}s + ${TP_SECONDS}s;" \
        "latency: $RATE msg/s x 256 B over 4 conns, ${WARMUP}s + ${LAT_SECONDS}s; PIN=$PIN"
} | tee "$out"

$(pin 0) java -jar "$WSDEBUG" serve --port "$SERVER_PORT" --quiet --no-compress >"$TMPD/serve.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_port "$SERVER_PORT" "$SERVER_PID"

# warm the echo server's JIT so that the first path (direct) is not measured against a cold server
"${LOAD[@]}" throughput --port "$SERVER_PORT" --warmup 0 --seconds 5 >/dev/null

printf 'run\tpath\tmsgs_per_s\tp50_us\tp99_us\tp999_us\tmax_us\tlost\n' >"$raw"
for run in $(seq "$RUNS"); do
    for path in "${PATHS[@]}"; do
        relay=""
        if [[ $path == direct ]]; then
            port=$SERVER_PORT
        else
            start_relay "$path"
            port=$PORT
            relay=$LAST_PID
        fi
        if [[ -n $JFR && -n $relay && $path == wsdebug* ]]; then
            mkdir -p "$JFR"
            jcmd "$relay" JFR.start "duration=$((WARMUP + TP_SECONDS))s" \
                "filename=$(realpath "$JFR")/$path-run$run.jfr" >/dev/null
        fi
        tp=$("${LOAD[@]}" throughput --port "$port" --conns 8 --inflight 16 --size 1024 \
            --warmup "$WARMUP" --seconds "$TP_SECONDS") || { echo "$path: $tp" >&2; exit 1; }
        lat=$("${LOAD[@]}" latency --port "$port" --conns 4 --size 256 --rate "$RATE" \
            --warmup "$WARMUP" --seconds "$LAT_SECONDS") || { echo "$path: $lat" >&2; exit 1; }
        extra=""
        if [[ $path == wsdebug-save ]]; then
            extra="  capture file: $(du -sh "$TMPD"/capture.wsdb* 2>/dev/null | awk '{print $1}' | paste -sd+)"
        fi
        if [[ $path == wsdebug-save ]]; then
            t0=$(date +%s.%N)
            stop "$relay" 600
            extra="$extra  closed (index completed) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s,"
            extra="$extra file $(du -sh "$TMPD/capture.wsdb" 2>/dev/null | awk '{print $1}')"
        elif [[ -n $relay ]]; then
            stop "$relay"
        fi
        rm -f "$TMPD/capture.wsdb"*
        log "run $run $path: $tp"
        log "run $run $path: $lat$extra"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$path" "$(kv msgs_per_s "$tp")" "$(kv p50_us "$lat")" \
            "$(kv p99_us "$lat")" "$(kv p999_us "$lat")" "$(kv max_us "$lat")" "$(kv lost "$lat")" >>"$raw"
    done
done

# ---------------------------------------------------------------- RSS growth per GiB relayed

rss_lines=()
if [[ $RSS == 1 ]]; then
    for path in wsdebug wsdebug-save; do
        start_relay "$path"
        port=$PORT
        relay=$LAST_PID
        bulk=("${LOAD[@]}" throughput --port "$port" --conns 4 --inflight 4 --size 65536 --warmup 0 --seconds 300)
        "${bulk[@]}" --bytes 128M >/dev/null
        r0=$(rss_kb "$relay")
        a0=$(rss_kb "$relay" RssAnon)
        b1=$("${bulk[@]}" --bytes "$RSS_BYTES")
        r1=$(rss_kb "$relay")
        b2=$("${bulk[@]}" --bytes "$RSS_BYTES")
        r2=$(rss_kb "$relay")
        a2=$(rss_kb "$relay" RssAnon)
        gib=$(awk -v a="$(kv bytes "$b1")" -v b="$(kv bytes "$b2")" 'BEGIN {printf "%.3f", (a + b) / 2^30}')
        size=""
        [[ $path == wsdebug-save ]] && size=" capture file $(du -sh "$TMPD"/capture.wsdb* | awk '{print $1}' | paste -sd+)"
        line=$(awk -v p="$path" -v r0="$r0" -v r1="$r1" -v r2="$r2" -v g="$gib" \
            -v m1="$(kv payload_mb_per_s "$b1")" -v m2="$(kv payload_mb_per_s "$b2")" -v s="$size" -v a0="$a0" -v a2="$a2" 'BEGIN {
            v = (r2 - r0) / 1024 / g
            fmt = "%-13s RSS %d -> %d -> %d MB over %.2f GiB echoed (%.0f, %.0f MB/s): %+.1f MB/GiB (first half %+.1f,"
            fmt = fmt " second half %+.1f; anonymous %d -> %d MB)%s; target < 50 MB/GiB: %s"
            printf fmt,
                p, r0 / 1024, r1 / 1024, r2 / 1024, g, m1, m2, v, (r1 - r0) / 1024 / (g / 2), (r2 - r1) / 1024 / (g / 2),
                a0 / 1024, a2 / 1024, s, (v < 50 ? "met" : "NOT met") }')
        rss_lines+=("$line")
        stop "$relay" 600
        rm -f "$TMPD/capture.wsdb"*
    done
fi

# ---------------------------------------------------------------- HTTP/2 rows

h2_lines=()
if [[ $H2 == 1 ]]; then
    ECHO_LOAD=(java -Xms256m -Xmx256m -cp bench/target/benchmarks.jar dev.wsdebug.bench.EchoLoad)
    $(pin 0) java -jar "$WSDEBUG" serve --http2 --port "$H2_SERVER_PORT" --quiet --no-compress >"$TMPD/serve-h2.log" 2>&1 &
    H2_SERVER_PID=$!
    PIDS+=("$H2_SERVER_PID")
    wait_port "$H2_SERVER_PORT" "$H2_SERVER_PID"
    # TCP_NODELAY both ways: without it, HTTP/2's small frames (WINDOW_UPDATE, a 1 KiB DATA) wait for
    # delayed ACKs (Nagle) and socat relays under 500 msgs/s; the proxy and serve set it too
    $(pin 1) socat "TCP-LISTEN:$H2_SOCAT_PORT,bind=127.0.0.1,fork,reuseaddr,nodelay" "TCP:127.0.0.1:$H2_SERVER_PORT,nodelay" \
        >"$TMPD/socat-h2.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$H2_SOCAT_PORT" "$!"
    # shellcheck disable=SC2086
    $(pin 1) java $PROXY_JAVA_OPTS -jar "$WSDEBUG" proxy -q --listen "127.0.0.1:$H2_WSD_PORT" \
        --to "ws://127.0.0.1:$H2_SERVER_PORT" --upstream-http 2 >"$TMPD/wsdebug-h2.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$H2_WSD_PORT" "$!"
    # shellcheck disable=SC2086
    $(pin 1) java $PROXY_JAVA_OPTS -jar "$WSDEBUG" proxy -q --listen "127.0.0.1:$H1_WSD_PORT" \
        --to "ws://127.0.0.1:$H2_SERVER_PORT" --upstream-http 1.1 >"$TMPD/wsdebug-h1.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$H1_WSD_PORT" "$!"
    h2_row() { # h2_row LABEL PORT [--h2]: one EchoLoad RESULT line
        "${ECHO_LOAD[@]}" --port "$2" --label "$1" --scenario tp-1KiB --conns 16 --inflight 16 --size 1024 \
            --warmup "$WARMUP" --duration "$TP_SECONDS" "${@:3}" | grep '^RESULT' \
            || { echo "bench/proxy.sh: the HTTP/2 row $1 failed" >&2; exit 1; }
    }
    # the server and both proxies warmed first (discarded)
    for port in "$H2_SERVER_PORT" "$H2_WSD_PORT"; do
        "${ECHO_LOAD[@]}" --port "$port" --conns 16 --inflight 16 --size 1024 --warmup 1 --duration 3 --h2 >/dev/null
    done
    "${ECHO_LOAD[@]}" --port "$H1_WSD_PORT" --conns 16 --inflight 16 --size 1024 --warmup 1 --duration 3 >/dev/null
    for run in $(seq "$RUNS"); do
        for row in "h2-direct $H2_SERVER_PORT --h2" "h2-socat $H2_SOCAT_PORT --h2" "h2-wsdebug $H2_WSD_PORT --h2" \
            "h1-wsdebug $H1_WSD_PORT"; do
            read -r -a a <<<"$row"
            line=$(h2_row "${a[@]}")
            log "run $run ${a[0]}: $line"
            h2_lines+=("$run ${a[0]} $(kv rate "$line")")
        done
    done
fi

# ---------------------------------------------------------------- tables

summarise() { # per-run tables, then the median of the runs, from the TSV
    awk -F'\t' -v runs="$RUNS" '
    function median(key,   n, i, j, t, v) {
        n = split(vals[key], v, " ")
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function add(key, x) { vals[key] = vals[key] " " x }
    function ratio(a, b) { return b > 0 ? a / b : 0 }
    function table(title, get,   i, p, d50, d99, hdr) {
        print ""
        print title
        printf "%-13s %10s %8s %8s %9s %9s %9s %10s %10s\n", "path", "msgs/s", "x socat", "x mitm", "p50 us", "p99 us", "p99.9 us", "+p50 us", "+p99 us"
        for (i = 1; i <= np; i++) {
            p = order[i]
            printf "%-13s %10.0f %8.2f %8.1f %9.0f %9.0f %9.0f %10.0f %10.0f\n", p, get[p, "m"], ratio(get[p, "m"], get["socat", "m"]),
                ratio(get[p, "m"], get["mitmdump", "m"]), get[p, "50"], get[p, "99"], get[p, "999"], get[p, "a50"], get[p, "a99"]
        }
    }
    NR == 1 { next }
    {
        r = $1; p = $2
        if (!(p in seen)) { seen[p] = 1; order[++np] = p }
        R[r, p, "m"] = $3; R[r, p, "50"] = $4; R[r, p, "99"] = $5; R[r, p, "999"] = $6; R[r, p, "lost"] = $8
        if (!(r in rs)) { rs[r] = 1; rorder[++nr] = r }
    }
    END {
        for (k = 1; k <= nr; k++) {
            r = rorder[k]
            delete T
            for (i = 1; i <= np; i++) {
                p = order[i]
                T[p, "m"] = R[r, p, "m"]; T[p, "50"] = R[r, p, "50"]; T[p, "99"] = R[r, p, "99"]; T[p, "999"] = R[r, p, "999"]
                T[p, "a50"] = R[r, p, "50"] - R[r, "direct", "50"]; T[p, "a99"] = R[r, p, "99"] - R[r, "direct", "99"]
                add(p SUBSEP "m", T[p, "m"]); add(p SUBSEP "50", T[p, "50"]); add(p SUBSEP "99", T[p, "99"]); add(p SUBSEP "999", T[p, "999"])
                add(p SUBSEP "a50", T[p, "a50"]); add(p SUBSEP "a99", T[p, "a99"])
                add(p SUBSEP "xs", ratio(T[p, "m"], T["socat", "m"])); add(p SUBSEP "xm", ratio(T[p, "m"], T["mitmdump", "m"]))
                if (R[r, p, "lost"] > 0) lostnote = lostnote sprintf("  run %s %s: %s latency messages not echoed within the drain time\n", r, p, R[r, p, "lost"])
            }
            table("run " r " (latency at the offered rate; +pNN = path - direct of this run)", T)
        }
        delete M
        for (i = 1; i <= np; i++) {
            p = order[i]
            M[p, "m"] = median(p SUBSEP "m"); M[p, "50"] = median(p SUBSEP "50"); M[p, "99"] = median(p SUBSEP "99")
            M[p, "999"] = median(p SUBSEP "999"); M[p, "a50"] = median(p SUBSEP "a50"); M[p, "a99"] = median(p SUBSEP "a99")
        }
        table("median of " nr " run(s) (ratios from the medians; +pNN = median of the per-run differences)", M)
        if (lostnote != "") printf "\n%s", lostnote
        s = "wsdebug-save"
        print ""
        print "targets (medians):"
        printf "  --save throughput >= 0.5 x socat:   %.2f x  %s\n", ratio(M[s, "m"], M["socat", "m"]), (M[s, "m"] >= 0.5 * M["socat", "m"] ? "met" : "NOT met")
        printf "  --save throughput >= 10 x mitmdump: %.1f x  %s\n", ratio(M[s, "m"], M["mitmdump", "m"]), (M[s, "m"] >= 10 * M["mitmdump", "m"] ? "met" : "NOT met")
        printf "  p99 added <= 1000 us at the offered rate: wsdebug %+.0f us %s, --save %+.0f us %s\n",
            M["wsdebug", "a99"], (M["wsdebug", "a99"] <= 1000 ? "met" : "NOT met"), M[s, "a99"], (M[s, "a99"] <= 1000 ? "met" : "NOT met")
    }' "$raw"
}

[[ $RUNS -gt 0 ]] && summarise | tee -a "$out"
if [[ ${#rss_lines[@]} -gt 0 ]]; then
    log ""
    log "RSS growth per GiB echoed through the proxy (64 KiB messages, 4 conns x 4 in flight; each GiB crosses it twice):"
    for l in "${rss_lines[@]}"; do
        log "  $l"
    done
fi
if [[ ${#h2_lines[@]} -gt 0 ]]; then
    log ""
    log "HTTP/2 rows: 16 WebSockets x 16 in flight x 1 KiB binary to serve --http2 (EchoLoad; h2 = streams of one h2c connection,"
    log "h1 = 16 TCP connections); medians of $RUNS run(s):"
    printf '%s\n' "${h2_lines[@]}" | awk '
        function median(s,   n, v, i, j, t) { n = split(s, v, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
            if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }; return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
        { r[$2] = r[$2] " " $3; if (!($2 in seen)) { seen[$2] = 1; o[++n] = $2 } }
        END { for (i = 1; i <= n; i++) m[o[i]] = median(r[o[i]])
            for (i = 1; i <= n; i++) printf "  %-11s %10.0f msgs/s  x h2-socat %.2f\n", o[i], m[o[i]], (m["h2-socat"] > 0 ? m[o[i]] / m["h2-socat"] : 0)
            printf "  proxied h2/h1 (wsdebug, same client): %.2f\n", (m["h1-wsdebug"] > 0 ? m["h2-wsdebug"] / m["h1-wsdebug"] : 0) }' | tee -a "$out"
fi
log ""
log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
log "Saved: $out and $raw"
