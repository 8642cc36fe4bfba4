#!/usr/bin/env bash
# Idle-connection benchmark (issue 8): opens N idle WebSockets against `wsdebug serve`, a Node ws
# echo server, a Bun echo server (Bun.serve, uWebSockets inside) and `wsdebug proxy` in front of a
# separate serve, one after the other in one run, then echoes one message on each; prints heap and
# RSS per connection and the ratios. 127.0.0.0/8 only.
#
#   bench/conns.sh                          # build, N = 20000 (clamped, see below), all four, 1 run
#   bench/conns.sh --n 500                  # a small run
#   bench/conns.sh --servers serve,proxy    # some of serve,node,bun,proxy (in that order)
#   bench/conns.sh --runs 3                 # repeat (1-5); the summary gives the median per server
#   bench/conns.sh --rate 1000 --idle 5 --echo-timeout 30 --warmup 1000 --fd-margin 200
#
# Per server, each run: the server starts fresh; warm-up (min(--warmup, N) connections opened,
# echoed once, closed); then "before": RSS (/proc/PID/status VmRSS) and heap -- JVM: used heap after
# a full GC (jcmd PID GC.run, then GC.heap_info); Node: heapUsed + external after gc() (node
# --expose-gc); Bun: heapUsed + external after Bun.gc(true) (the servers print process.memoryUsage()
# on SIGUSR2). Then N connections are opened (at most --rate per second, 200 handshakes in flight,
# each upgraded within 30 s; the phase gives up after N/rate + 60 s or 500 failures), left idle for
# --idle s, counted again (STATUS), measured ("after"), and a 16-byte text message is sent on every
# one: "echoed X/N" counts the echoes back within --echo-timeout s. Per connection =
# (after - before) / connections open at the measurement.
# The proxy row measures the proxy process only (both of its sockets per connection); its upstream
# is a second serve. JVM options are the launcher's (./wsdebug --print-java-opts serve|proxy, i.e.
# -Xmx512m); SERVE_JAVA_OPTS / PROXY_JAVA_OPTS override.
# Open files: no process may hold more than `ulimit -Hn` (20000 here, not raisable) files. The script
# raises the soft limit to the hard one and clamps N to hard - --fd-margin for one-socket-per-
# connection servers and to (hard - --fd-margin) / 2 for the proxy, and says so. The load client
# (dev.wsdebug.bench.ConnsLoad, bench module) runs as several JVMs of at most 5000 connections, each
# from its own source address 127.0.1.2, 127.0.1.3, ...; sockets are closed with a reset (no TIME_WAIT).
# A phase that fails is reported with the number of connections open at that point, the reasons
# (refused, handshake-timeout, close-1006 ...), and whether the server process is still alive / its
# log mentions OutOfMemoryError; the script then goes on to the next server.
#
# Environment: SKIP_BUILD=1 reuses the jars; MVN_OPTS_EXTRA="-o" is appended to mvn; NODE_WS_MODULES
# (default test-peers/node/node_modules, scripts/install-peers.sh) is where ws comes from; Bun is
# installed with npm into bench/node/node_modules (git-ignored) when missing; PROXY_BASE_PORT (19300)
# is the first port tried for the proxy.
# Output: stdout, and bench/results/conns-<stamp>.{txt,tsv} (git-ignored) with the servers' logs.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die_usage() { echo "conns.sh: $*" >&2; exit 2; }

n=20000
servers=serve,node,bun,proxy
runs=1
rate=1000
idle=5
echo_timeout=30
warmup=1000
fd_margin=200
while [[ $# -gt 0 ]]; do
    case "$1" in
        --n|--servers|--runs|--rate|--idle|--echo-timeout|--warmup|--fd-margin)
            [[ $# -ge 2 ]] || die_usage "$1 needs a value."
            v=$2
            case "$1" in
                --n) n=$v ;;
                --servers) servers=$v ;;
                --runs) runs=$v ;;
                --rate) rate=$v ;;
                --idle) idle=$v ;;
                --echo-timeout) echo_timeout=$v ;;
                --warmup) warmup=$v ;;
                --fd-margin) fd_margin=$v ;;
            esac
            shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die_usage "unknown argument $1 (see --help)." ;;
    esac
done
int_in() { [[ $1 =~ ^[0-9]+$ ]] && (( 10#$1 >= $2 && 10#$1 <= $3 )); }
int_in "$n" 1 1000000 || die_usage "--n must be a whole number from 1 to 1000000."
int_in "$runs" 1 5 || die_usage "--runs must be 1-5."
int_in "$rate" 1 20000 || die_usage "--rate must be 1-20000 connections per second."
int_in "$idle" 0 600 || die_usage "--idle must be 0-600 seconds."
int_in "$echo_timeout" 1 300 || die_usage "--echo-timeout must be 1-300 seconds."
int_in "$warmup" 0 5000 || die_usage "--warmup must be 0-5000 connections."
int_in "$fd_margin" 50 5000 || die_usage "--fd-margin must be 50-5000 files."
IFS=, read -r -a want <<<"$servers"
[[ ${#want[@]} -gt 0 ]] || die_usage "--servers needs at least one of serve,node,bun,proxy."
for s in "${want[@]}"; do
    [[ $s == serve || $s == node || $s == bun || $s == proxy ]] || die_usage "--servers takes serve,node,bun,proxy, not '$s'."
done
order=()
for s in serve node bun proxy; do
    for w in "${want[@]}"; do
        if [[ $w == "$s" ]]; then order+=("$s"); break; fi
    done
done

# ---------------------------------------------------------------- open-file limits and N

hard=$(ulimit -Hn)
[[ $hard == unlimited ]] && hard=1048576
ulimit -n "$hard"
max_one=$((hard - fd_margin))
max_proxy=$(((hard - fd_margin) / 2))
n_for() { # n_for SERVER: N clamped to what one process may hold
    local cap=$max_one
    [[ $1 == proxy ]] && cap=$max_proxy
    echo $((n < cap ? n : cap))
}
per_proc=$((5000 < hard - 100 ? 5000 : hard - 100))

# ---------------------------------------------------------------- build and peers

SERVE_JAVA_OPTS=${SERVE_JAVA_OPTS-$(bash ./wsdebug --print-java-opts serve)}
PROXY_JAVA_OPTS=${PROXY_JAVA_OPTS-$(bash ./wsdebug --print-java-opts proxy)}
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # shellcheck disable=SC2086
    mvn -q -B -DskipTests package -pl cli,bench -am ${MVN_OPTS_EXTRA:-}
fi
jar=cli/target/wsdebug.jar
bench_jar=bench/target/benchmarks.jar
[[ -f $jar && -f $bench_jar ]] || { echo "conns.sh: $jar or $bench_jar is missing (run without SKIP_BUILD=1)" >&2; exit 1; }
node_modules=${NODE_WS_MODULES:-$PWD/test-peers/node/node_modules}
bun=$PWD/bench/node/node_modules/.bin/bun
for s in "${order[@]}"; do
    if [[ $s == node && ! -f $node_modules/ws/package.json ]]; then
        [[ -z "${NODE_WS_MODULES:-}" ]] || { echo "conns.sh: no ws in $NODE_WS_MODULES" >&2; exit 1; }
        scripts/install-peers.sh
    fi
    if [[ $s == bun && ! -x $bun ]]; then
        echo "conns.sh: installing bun with npm into bench/node/node_modules" >&2
        (cd bench/node && timeout 600 npm install --no-audit --no-fund --no-package-lock --loglevel=error)
    fi
    if [[ $s == bun ]] && ! "$bun" --version >/dev/null 2>&1; then
        echo "conns.sh: $bun does not run on this machine; leave bun out with --servers" >&2
        exit 1
    fi
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out=bench/results/conns-$stamp.txt
tsv=bench/results/conns-$stamp.tsv
work=$(mktemp -d /tmp/wsdebug-conns.XXXXXX)

log() { echo "$*" | tee -a "$out"; }

# ---------------------------------------------------------------- processes (stopped by pid)

PIDS=()
lin=""
lout=""
cleanup() {
    local pid
    [[ -n $lout ]] && exec {lout}>&- 2>/dev/null
    [[ -n $lin ]] && exec {lin}<&- 2>/dev/null
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget() { # forget PID: no longer tracked
    local keep=() p
    for p in "${PIDS[@]}"; do
        [[ $p == "$1" ]] || keep+=("$p")
    done
    PIDS=("${keep[@]}")
}

stop() { # stop PID: TERM, 10 s, KILL
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    forget "$pid"
}

alive() { kill -0 "$1" 2>/dev/null; }

wait_listening_line() { # wait_listening_line LOG PID: the port of "listening on ws://127.0.0.1:PORT" (30 s)
    local port=""
    for _ in $(seq 300); do
        port=$(sed -n 's#^listening on ws://127\.0\.0\.1:\([0-9][0-9]*\)$#\1#p' "$1" | head -n1)
        [[ -n $port ]] && { echo "$port"; return 0; }
        alive "$2" || break
        sleep 0.1
    done
    return 1
}

free_port() { # free_port FROM: the first port from FROM on that nothing listens on
    local p
    for p in $(seq "$1" $(($1 + 200))); do
        ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return 0; }
    done
    return 1
}

wait_port() { # wait_port PORT PID (30 s)
    for _ in $(seq 300); do
        alive "$2" || return 1
        ss -Hltn "sport = :$1" | grep -q . && return 0
        sleep 0.1
    done
    return 1
}

SRV_PID=""
SRV_PORT=""
UP_PID=""
SRV_LOG=""
start_server() { # start_server NAME RUN: sets SRV_PID SRV_PORT SRV_LOG (UP_PID for proxy)
    local name=$1 run=$2 lg port
    SRV_LOG=$work/$name-run$run.log
    UP_PID=""
    lg=$SRV_LOG
    case $name in
        serve)
            # shellcheck disable=SC2086
            (exec java $SERVE_JAVA_OPTS -jar "$jar" serve --port 0 --quiet) >"$lg" 2>&1 &
            ;;
        node)
            (NODE_PATH=$node_modules exec node --expose-gc bench/node/echo.js --port 0) >"$lg" 2>&1 &
            ;;
        bun)
            (exec "$bun" bench/node/echo-bun.js --port 0) >"$lg" 2>&1 &
            ;;
        proxy)
            # shellcheck disable=SC2086
            (exec java $SERVE_JAVA_OPTS -jar "$jar" serve --port 0 --quiet) >"$work/upstream-run$run.log" 2>&1 &
            UP_PID=$!
            PIDS+=("$UP_PID")
            port=$(wait_listening_line "$work/upstream-run$run.log" "$UP_PID") || {
                log "  the upstream serve did not start: $(tail -3 "$work/upstream-run$run.log")"; return 1; }
            SRV_PORT=$(free_port "${PROXY_BASE_PORT:-19300}") || { log "  no free port for the proxy"; return 1; }
            # shellcheck disable=SC2086
            (exec java $PROXY_JAVA_OPTS -jar "$jar" proxy -q --listen "127.0.0.1:$SRV_PORT" --to "ws://127.0.0.1:$port") \
                >"$lg" 2>&1 &
            SRV_PID=$!
            PIDS+=("$SRV_PID")
            wait_port "$SRV_PORT" "$SRV_PID" || { log "  the proxy did not start: $(tail -3 "$lg")"; return 1; }
            return 0
            ;;
    esac
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    SRV_PORT=$(wait_listening_line "$lg" "$SRV_PID") || { log "  $name did not start: $(tail -3 "$lg")"; return 1; }
}

# ---------------------------------------------------------------- measurements

rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status" 2>/dev/null || echo na; }

heap_kb() { # heap_kb NAME PID: used heap in KiB after a full GC ("na" when it cannot be had)
    local name=$1 pid=$2
    if [[ $name == serve || $name == proxy ]]; then
        if timeout 120 jcmd "$pid" GC.run >/dev/null 2>&1; then
            timeout 60 jcmd "$pid" GC.heap_info 2>/dev/null |
                awk '!/Metaspace|class space/ && match($0, /used [0-9]+K/) { s += substr($0, RSTART + 5, RLENGTH - 6); f = 1 }
                     END { if (f) print s; else print "na" }'
        else
            echo na
        fi
        return
    fi
    # node, bun: SIGUSR2 -> one "memory {json}" line in the log after a full collection
    local before after line
    before=$(grep -c '^memory ' "$SRV_LOG" || true)
    kill -USR2 "$pid" 2>/dev/null || { echo na; return; }
    for _ in $(seq 300); do
        after=$(grep -c '^memory ' "$SRV_LOG" || true)
        if (( after > before )); then
            line=$(grep '^memory ' "$SRV_LOG" | tail -n1)
            awk -v l="$line" 'BEGIN {
                h = l; sub(/.*"heapUsed":/, "", h); sub(/[,}].*/, "", h)
                e = l; sub(/.*"external":/, "", e); sub(/[,}].*/, "", e)
                printf "%d\n", (h + e) / 1024 }'
            return
        fi
        alive "$pid" || break
        sleep 0.1
    done
    echo na
}

# ---------------------------------------------------------------- the load client (a coprocess)

LOAD_PID=""
start_load() { # start_load PORT N
    coproc LOAD { exec java -Xms64m -Xmx256m -XX:+UseSerialGC -cp "$bench_jar" dev.wsdebug.bench.ConnsLoad \
        --port "$1" --n "$2" --rate "$rate" --inflight 200 --per-proc "$per_proc" --echo-timeout "$echo_timeout" \
        --handshake-timeout 30 --max-failed 500 --source-prefix 127.0.1 2>>"$work/load.err"; }
    PIDS+=("$LOAD_PID")
    # own copies of the pipe ends (bash drops LOAD when the coprocess ends), originals closed
    exec {lin}<&"${LOAD[0]}" {lout}>&"${LOAD[1]}"
    eval "exec ${LOAD[0]}<&- ${LOAD[1]}>&-"
}

REPLY_LINE=""
await() { # await KIND SECONDS [quiet]: reads the client's lines until one starts with KIND; 1 on timeout/EOF
    local kind=$1 deadline=$((SECONDS + $2)) line left
    REPLY_LINE=""
    while true; do
        left=$((deadline - SECONDS))
        (( left >= 1 )) || return 1
        IFS= read -r -t "$left" -u "$lin" line || return 1
        case $line in
            "$kind"*) REPLY_LINE=$line; return 0 ;;
            PROGRESS*|START*) [[ ${3:-} == quiet ]] || log "    $line" ;;
            *) log "    $line" ;;
        esac
    done
}

send() { { echo "$1" >&"$lout"; } 2>/dev/null || true; }

stop_load() { # quit the client: its children exit, every socket is reset
    send quit
    [[ -n $lout ]] && { exec {lout}>&-; lout=""; }
    [[ -n $lin ]] && { exec {lin}<&-; lin=""; }
    local pid=$LOAD_PID
    for _ in $(seq 300); do
        alive "$pid" || break
        sleep 0.1
    done
    stop "$pid"
}

kv() { # kv KEY LINE
    tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n1
}

server_state() { # server_state NAME: "alive" or "dead (exit ...)", plus OOM note
    local s="alive" lg=$SRV_LOG
    alive "$SRV_PID" || s="DEAD"
    if [[ -n $UP_PID ]] && ! alive "$UP_PID"; then s="$s, upstream serve DEAD"; fi
    if grep -q OutOfMemoryError "$lg" ${UP_PID:+"$work/upstream-run$run.log"} 2>/dev/null; then
        s="$s, OutOfMemoryError in its log"
    fi
    echo "$s"
}

# ---------------------------------------------------------------- header

{
    echo "# bench/conns.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc=$(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null ||
        echo " (uncommitted changes in: $(git diff --name-only HEAD -- | paste -sd' '))")"
    java -version 2>&1 | sed 's/^/# /'
    [[ " ${order[*]} " == *" node "* ]] && echo "# node $(node --version), ws $(node -p "require('$node_modules/ws/package.json').version")"
    [[ " ${order[*]} " == *" bun "* ]] && echo "# bun $("$bun" --version)"
    echo "# serve JVM: $SERVE_JAVA_OPTS   proxy JVM: $PROXY_JAVA_OPTS"
    echo "# open files: hard limit $hard per process (soft raised to it), margin $fd_margin ->" \
        "at most $max_one connections per one-socket server, $max_proxy through the proxy (2 sockets each)"
    echo "# runs=$runs rate=$rate/s idle=${idle}s echo-timeout=${echo_timeout}s warm-up=$warmup connections;" \
        "client: up to $per_proc connections per process, sources 127.0.1.2..; ports $(tr '\t' - </proc/sys/net/ipv4/ip_local_port_range)"
} | tee "$out"
for s in "${order[@]}"; do
    c=$(n_for "$s")
    if (( c < n )); then
        log "# NOTE: $s: requested N=$n clamped to $c: the hard open-file limit is $hard per process (ulimit -Hn, not" \
            "raisable here) and $s holds $([[ $s == proxy ]] && echo "2 sockets per connection" || echo "1 socket per connection")" \
            "plus up to $fd_margin files of its own"
    fi
done

printf 'run\tserver\tn\topened\topen_at_measure\theap0_kb\theap1_kb\trss0_kb\trss1_kb\trss_after_echo_kb\tsent\techoed\tfailed_phase\tstate\n' >"$tsv"

# ---------------------------------------------------------------- one server

measure_server() { # measure_server NAME RUN
    local name=$1 run=$2 target opened="0" openm="0" h0=na h1=na r0=na r1=na r2=na sent=0 echoed=0 phase="" state
    target=$(n_for "$name")
    log ""
    log "== run $run/$runs: $name, N=$target  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    if ! start_server "$name" "$run"; then
        printf '%s\t%s\t%s\t0\t0\tna\tna\tna\tna\tna\t0\t0\tstart\tdid not start\n' "$run" "$name" "$target" >>"$tsv"
        return 0
    fi
    log "  $name: pid $SRV_PID, port $SRV_PORT${UP_PID:+ (upstream serve pid $UP_PID)}"

    # warm-up
    local w=$((warmup < target ? warmup : target))
    if (( w > 0 )); then
        start_load "$SRV_PORT" "$w"
        if await OPENED $((w / rate + 120)) quiet; then
            log "  warm-up: $REPLY_LINE"
            send echo
            await ECHOED $((echo_timeout + 30)) quiet && log "  warm-up: $REPLY_LINE"
        else
            log "  warm-up: no answer from the load client"
        fi
        stop_load
        sleep 1
    fi
    if ! alive "$SRV_PID"; then
        phase="warm-up"
    else
        h0=$(heap_kb "$name" "$SRV_PID")
        r0=$(rss_kb "$SRV_PID")
        log "  before: heap $h0 KiB, RSS $r0 KiB"

        start_load "$SRV_PORT" "$target"
        if await OPENED $((target / rate + 150)); then
            log "  $REPLY_LINE"
            opened=$(kv open "$REPLY_LINE")
            (( opened < target )) && phase="open"
        else
            log "  the load client did not finish the open phase in time"
            phase="open"
        fi
        if alive "$SRV_PID"; then
            sleep "$idle"
            send status
            if await STATUS 30; then
                log "  after ${idle} s idle: $REPLY_LINE"
                openm=$(kv open "$REPLY_LINE")
                (( openm < opened )) && [[ -z $phase ]] && phase="idle"
            fi
            h1=$(heap_kb "$name" "$SRV_PID")
            r1=$(rss_kb "$SRV_PID")
            log "  after: heap $h1 KiB, RSS $r1 KiB with $openm open"
            send echo
            if await ECHOED $((echo_timeout + 30)); then
                log "  $REPLY_LINE"
                sent=$(kv sent "$REPLY_LINE")
                echoed=$(kv echoed "$REPLY_LINE")
                (( echoed < target )) && [[ -z $phase ]] && phase="echo"
            else
                log "  the load client did not finish the echo phase in time"
                [[ -z $phase ]] && phase="echo"
            fi
            r2=$(rss_kb "$SRV_PID")
        fi
        stop_load
    fi
    state=$(server_state)
    if [[ -n $phase ]]; then
        log "  FAILED in phase '$phase': $opened of $target connections opened, $openm open at the measurement," \
            "$echoed/$target echoed; server: $state"
    fi
    log "  echoed $echoed/$target"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$name" "$target" "$opened" "$openm" \
        "$h0" "$h1" "$r0" "$r1" "$r2" "$sent" "$echoed" "${phase:--}" "$state" >>"$tsv"
    [[ -n $UP_PID ]] && stop "$UP_PID"
    stop "$SRV_PID"
    cp "$SRV_LOG" "${out%.txt}-$name-run$run.log" 2>/dev/null || true
    [[ -n $UP_PID && -s $work/upstream-run$run.log ]] && cp "$work/upstream-run$run.log" "${out%.txt}-upstream-run$run.log"
    return 0
}

for run in $(seq "$runs"); do
    for s in "${order[@]}"; do
        measure_server "$s" "$run"
    done
done
[[ -s $work/load.err ]] && { log ""; log "load client stderr:"; sed 's/^/  /' "$work/load.err" | head -50 | tee -a "$out"; }

# ---------------------------------------------------------------- summary

log ""
log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' -v runs="$runs" '
function med(key,   n, i, j, t, v) {
    n = split(vals[key], v, " ")
    if (n == 0) return "na"
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function per(a, b, c) { return (a == "na" || b == "na" || c + 0 <= 0) ? "na" : (b - a) * 1024 / c / 1000 }
function f1(x) { return x == "na" ? "na" : sprintf(x < 1 && x > -1 ? "%.2f" : "%.1f", x) }
function mb(x) { return x == "na" ? "na" : sprintf("%.0f", x / 1024) }
function ratio(a, b) { return (a == "na" || b == "na" || b + 0 <= 0) ? "na" : sprintf("%.2f", a / b) }
NR == 1 { next }
{
    s = $2
    if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
    hp = per($6, $7, $5); rp = per($8, $9, $5)
    printf "%-6s run %d: N=%d opened %d, %d open at the measurement; heap %s -> %s MiB = %s KB/conn; RSS %s -> %s MiB = %s KB/conn; echoed %d/%d%s\n",
        s, $1, $3, $4, $5, mb($6), mb($7), f1(hp), mb($8), mb($9), f1(rp), $12, $3, ($13 == "-" ? "" : "  FAILED (" $13 "; server " $14 ")")
    if (hp != "na") vals[s, "h"] = vals[s, "h"] " " hp
    if (rp != "na") vals[s, "r"] = vals[s, "r"] " " rp
    vals[s, "e"] = vals[s, "e"] " " $12
    N[s] = $3
}
END {
    print ""
    print "per idle connection (median of " runs " run(s); KB = 1000 bytes; heap: JVM used heap after a full GC,"
    print "node/bun heapUsed + external after a full GC; proxy: both of its sockets):"
    printf "  %-6s %8s %12s %12s %12s\n", "server", "N", "heap KB", "RSS KB", "echoed"
    for (i = 1; i <= ns; i++) {
        s = order[i]; H[s] = med(s SUBSEP "h"); R[s] = med(s SUBSEP "r"); E[s] = med(s SUBSEP "e")
        printf "  %-6s %8d %12s %12s %12s\n", s, N[s], f1(H[s]), f1(R[s]), E[s] "/" N[s]
    }
    print ""
    print "ratios (heap, RSS per connection; > 1: the first costs more; Bun keeps its connections in"
    print "uWebSockets, outside the JavaScript heap: compare RSS for bun):"
    split("serve/node serve/bun proxy/node proxy/bun proxy/serve", pairs, " ")
    for (k = 1; k <= 5; k++) {
        split(pairs[k], ab, "/")
        if ((ab[1] in H) && (ab[2] in H))
            printf "  %-12s heap %6s   RSS %6s\n", pairs[k], ratio(H[ab[1]], H[ab[2]]), ratio(R[ab[1]], R[ab[2]])
    }
    print ""
    print "targets (issue 8; N here is the open-file-limited N above, not 20,000 / 10,000):"
    if ("serve" in H) {
        printf "  serve heap <= 10 KB per idle connection: %s KB  %s\n", f1(H["serve"]), (H["serve"] != "na" && H["serve"] <= 10 ? "met" : "NOT met")
        printf "  serve holds N idle and echoes on all:    %s/%d  %s\n", E["serve"], N["serve"], (E["serve"] >= N["serve"] ? "met" : "NOT met")
    }
    if ("proxy" in H) {
        printf "  proxy heap <= 20 KB per idle connection: %s KB  %s\n", f1(H["proxy"]), (H["proxy"] != "na" && H["proxy"] <= 20 ? "met" : "NOT met")
        printf "  proxy holds N idle and echoes on all:    %s/%d  %s\n", E["proxy"], N["proxy"], (E["proxy"] >= N["proxy"] ? "met" : "NOT met")
    }
}' "$tsv" | tee -a "$out"
log ""
log "Saved: $out and $tsv"
