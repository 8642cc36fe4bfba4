#!/usr/bin/env bash
# Hostile-client cases (issue 8) against `wsdebug serve` and `wsdebug proxy` (in front of a serve):
# whether each target stayed up, how fast it still answered, its peak memory, and what the hostile
# clients saw. 127.0.0.1 only; every case is bounded in time (10-30 s, plus start and stop).
#
#   bench/abuse.sh                                  # build, every case against serve and the proxy
#   bench/abuse.sh --cases big,bomb --targets serve # some cases (names or letters a-g), some targets
#   bench/abuse.sh --probe-timeout 5                # seconds a probe may take before it counts as failed
#
# Cases (dev.wsdebug.bench.Abuse in the bench module; counts and sizes are its defaults):
#   a big        200 clients each send one 1 MiB binary message at the same moment, then read the echo
#   b nonread    10 clients (SO_RCVBUF 4 KiB) write 64 KiB messages for 5 s as fast as the target takes
#                them and never read the echoes; held 2 s more, then reset
#   c slowloris  200 connections send the upgrade request one byte per second, for 20 s
#   d bare       3000 TCP connects (1000/s) that never send a byte, held 15 s
#   e huge       10 clients each send one 16 MiB message
#   f bomb       permessage-deflate negotiated, then one ~1 MiB compressed message that inflates to 1 GiB
#   g badframe   a frame header with RSV2 set, and one with reserved opcode 0x3, each declaring a 1 GiB
#                payload, then payload bytes trickled at 10 B/s for up to 15 s: RFC 6455 says fail at
#                once with 1002
# Every case gets a fresh target (serve, or a fresh serve + a fresh proxy), started with the
# launcher's JVM options (./wsdebug --print-java-opts serve|proxy: -Xmx512m; SERVE_JAVA_OPTS /
# PROXY_JAVA_OPTS override). During the case a probe sends a 16-byte echo every second on a
# connection opened before the case ("held") and on a fresh connection each time ("fresh": connect +
# upgrade + echo), each within --probe-timeout s; after the hostile clients are gone, one more of
# each within 10 s. "stayed up" = the process is alive and every probe got its echo in time.
# Memory of the target process: VmRSS and the number of open files sampled every 200 ms (peak and
# before), VmHWM, and the used heap from `jstat -gc PID 200` (peak of S0U+S1U+EU+OU; not after GC).
# The script reports what it sees (close codes, refused connects, timeouts), it assumes no limits.
#
# Environment: SKIP_BUILD=1 reuses the jars; MVN_OPTS_EXTRA="-o" is appended to mvn;
# PROXY_BASE_PORT (19400) is the first port tried for the proxy; ABUSE_EXTRA="--count 20 --seconds 5"
# is appended to every Abuse command (smaller cases while developing; its options are described at
# the top of bench/src/main/java/dev/wsdebug/bench/Abuse.java).
# Output: the table, and bench/results/abuse-<stamp>.{txt,tsv} (git-ignored) with the targets' logs.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
die_usage() { echo "abuse.sh: $*" >&2; exit 2; }

ALL_CASES=(big nonread slowloris bare huge bomb badframe)
cases_arg=$(IFS=,; echo "${ALL_CASES[*]}")
targets_arg=serve,proxy
probe_timeout=5
while [[ $# -gt 0 ]]; do
    case "$1" in
        --cases|--targets|--probe-timeout)
            [[ $# -ge 2 ]] || die_usage "$1 needs a value."
            case "$1" in
                --cases) cases_arg=$2 ;;
                --targets) targets_arg=$2 ;;
                --probe-timeout) probe_timeout=$2 ;;
            esac
            shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die_usage "unknown argument $1 (see --help)." ;;
    esac
done
if ! [[ $probe_timeout =~ ^[0-9]+$ ]] || (( probe_timeout < 1 || probe_timeout > 60 )); then
    die_usage "--probe-timeout must be 1-60 seconds."
fi
cases=()
IFS=, read -r -a list <<<"$cases_arg"
for c in "${list[@]}"; do
    case $c in
        a) c=big ;; b) c=nonread ;; c) c=slowloris ;; d) c=bare ;; e) c=huge ;; f) c=bomb ;; g) c=badframe ;;
    esac
    [[ " ${ALL_CASES[*]} " == *" $c "* ]] || die_usage "--cases takes a-g or ${ALL_CASES[*]}, not '$c'."
    cases+=("$c")
done
[[ ${#cases[@]} -gt 0 ]] || die_usage "--cases needs at least one case."
targets=()
IFS=, read -r -a list <<<"$targets_arg"
for t in "${list[@]}"; do
    [[ $t == serve || $t == proxy ]] || die_usage "--targets takes serve,proxy, not '$t'."
    targets+=("$t")
done
[[ ${#targets[@]} -gt 0 ]] || die_usage "--targets needs serve, proxy or both."

ulimit -n "$(ulimit -Hn)"
SERVE_JAVA_OPTS=${SERVE_JAVA_OPTS-$(bash ./wsdebug --print-java-opts serve)}
PROXY_JAVA_OPTS=${PROXY_JAVA_OPTS-$(bash ./wsdebug --print-java-opts proxy)}
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    # shellcheck disable=SC2086
    mvn -q -B -DskipTests package -pl cli,bench -am ${MVN_OPTS_EXTRA:-}
fi
jar=cli/target/wsdebug.jar
bench_jar=bench/target/benchmarks.jar
[[ -f $jar && -f $bench_jar ]] || { echo "abuse.sh: $jar or $bench_jar is missing (run without SKIP_BUILD=1)" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p bench/results
out=bench/results/abuse-$stamp.txt
tsv=bench/results/abuse-$stamp.tsv
work=$(mktemp -d /tmp/wsdebug-abuse.XXXXXX)

log() { echo "$*" | tee -a "$out"; }

# ---------------------------------------------------------------- processes (stopped by pid)

PIDS=()
cleanup() {
    local pid
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

alive() { kill -0 "$1" 2>/dev/null; }

stop() { # stop PID: TERM, 10 s, KILL; forgotten afterwards
    local pid=$1 keep=() p
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        alive "$pid" || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for p in "${PIDS[@]}"; do
        [[ $p == "$pid" ]] || keep+=("$p")
    done
    PIDS=("${keep[@]}")
}

wait_listening_line() { # wait_listening_line LOG PID: prints the port (30 s)
    local port=""
    for _ in $(seq 300); do
        port=$(sed -n 's#^listening on ws://127\.0\.0\.1:\([0-9][0-9]*\)$#\1#p' "$1" | head -n1)
        [[ -n $port ]] && { echo "$port"; return 0; }
        alive "$2" || break
        sleep 0.1
    done
    return 1
}

free_port() {
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

PID=""      # the process under test
PORT=""     # where the hostile clients and the probe connect
UP_PID=""   # the proxy's upstream serve
LOGF=""
UP_LOG=""
start_target() { # start_target TARGET TAG
    local port
    UP_PID=""
    LOGF=$work/$2.log
    UP_LOG=$work/$2-upstream.log
    if [[ $1 == serve ]]; then
        # shellcheck disable=SC2086
        (exec java $SERVE_JAVA_OPTS -jar "$jar" serve --port 0 --quiet) >"$LOGF" 2>&1 &
        PID=$!
        PIDS+=("$PID")
        PORT=$(wait_listening_line "$LOGF" "$PID") || { log "  serve did not start: $(tail -3 "$LOGF")"; return 1; }
        return 0
    fi
    # shellcheck disable=SC2086
    (exec java $SERVE_JAVA_OPTS -jar "$jar" serve --port 0 --quiet) >"$UP_LOG" 2>&1 &
    UP_PID=$!
    PIDS+=("$UP_PID")
    port=$(wait_listening_line "$UP_LOG" "$UP_PID") || { log "  the upstream serve did not start: $(tail -3 "$UP_LOG")"; return 1; }
    PORT=$(free_port "${PROXY_BASE_PORT:-19400}") || { log "  no free port for the proxy"; return 1; }
    # shellcheck disable=SC2086
    (exec java $PROXY_JAVA_OPTS -jar "$jar" proxy -q --listen "127.0.0.1:$PORT" --to "ws://127.0.0.1:$port") >"$LOGF" 2>&1 &
    PID=$!
    PIDS+=("$PID")
    wait_port "$PORT" "$PID" || { log "  the proxy did not start: $(tail -3 "$LOGF")"; return 1; }
}

status_kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null || true; }

SAMPLER=""
JSTAT=""
start_samplers() { # start_samplers PID FILE: VmRSS and open files every 200 ms (bounded: 10 min), jstat -gc
    local pid=$1 f=$2
    (
        for _ in $(seq 3000); do
            r=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status" 2>/dev/null) || break
            [[ -n $r ]] || break
            fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
            echo "$r $fds"
            sleep 0.2
        done
    ) >"$f.rss" &
    SAMPLER=$!
    PIDS+=("$SAMPLER")
    (exec jstat -gc "$pid" 200) >"$f.jstat" 2>/dev/null &
    JSTAT=$!
    PIDS+=("$JSTAT")
}

peak_heap_mb() { # from jstat -gc output: the largest S0U+S1U+EU+OU, MiB
    awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         $1 ~ /^[0-9.]+$/ { u = $c["S0U"] + $c["S1U"] + $c["EU"] + $c["OU"]; if (u > m) m = u; n++ }
         END { if (n) printf "%.0f", m / 1024; else printf "na" }' "$1"
}

kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n1; }

# ---------------------------------------------------------------- header

{
    echo "# bench/abuse.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  nproc=$(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null ||
        echo " (uncommitted changes in: $(git diff --name-only HEAD -- | paste -sd' '))")"
    java -version 2>&1 | sed 's/^/# /'
    echo "# serve JVM: $SERVE_JAVA_OPTS   proxy JVM: $PROXY_JAVA_OPTS   open files: $(ulimit -n)   probe timeout: ${probe_timeout}s"
    echo "# cases: ${cases[*]}   targets: ${targets[*]}"
} | tee "$out"
printf 'case\ttarget\tstayed_up\tprobe_held\tprobe_held_max_ms\tprobe_fresh\tprobe_fresh_max_ms\tafter_held_ms\tafter_fresh_ms\trss_before_mb\trss_peak_mb\tvmhwm_mb\theap_peak_mb\tfds_peak\tstate\thostile\n' >"$tsv"

# ---------------------------------------------------------------- the cases

for c in "${cases[@]}"; do
    for t in "${targets[@]}"; do
        tag=$c-$t
        log ""
        log "== $c against $t  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
        if ! start_target "$t" "$tag"; then
            printf '%s\t%s\tno\t-\t-\t-\t-\t-\t-\tna\tna\tna\tna\tna\tdid not start\t-\n' "$c" "$t" >>"$tsv"
            continue
        fi
        sleep 1
        r0=$(status_kb "$PID" VmRSS)
        start_samplers "$PID" "$work/$tag"
        up_sampler=""
        if [[ -n $UP_PID ]]; then
            (
                for _ in $(seq 3000); do
                    r=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$UP_PID/status" 2>/dev/null) || break
                    [[ -n $r ]] || break
                    echo "$r"
                    sleep 0.2
                done
            ) >"$work/$tag.up.rss" &
            up_sampler=$!
            PIDS+=("$up_sampler")
        fi
        set +e
        # shellcheck disable=SC2086  # ABUSE_EXTRA is split into words on purpose
        line=$(timeout 180 java -Xms64m -Xmx1g -cp "$bench_jar" dev.wsdebug.bench.Abuse --port "$PORT" --case "$c" \
            --probe-timeout "$probe_timeout" ${ABUSE_EXTRA:-} 2> >(tee -a "$out" >&2) | grep '^RESULT')
        rc=$?
        set -e
        sleep 0.5
        hwm=$(status_kb "$PID" VmHWM)
        state=alive
        alive "$PID" || state=DEAD
        [[ -n $UP_PID ]] && ! alive "$UP_PID" && state="$state, upstream DEAD"
        grep -q OutOfMemoryError "$LOGF" ${UP_PID:+"$UP_LOG"} 2>/dev/null && state="$state, OutOfMemoryError in the log"
        stop "$SAMPLER"
        stop "$JSTAT"
        [[ -n $up_sampler ]] && stop "$up_sampler"
        rpeak=$(awk '{ if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }' "$work/$tag.rss")
        fpeak=$(awk '{ if ($2 > m) m = $2 } END { print m + 0 }' "$work/$tag.rss")
        hpeak=$(peak_heap_mb "$work/$tag.jstat")
        uppeak=""
        [[ -n $up_sampler ]] && uppeak=$(awk '{ if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }' "$work/$tag.up.rss")
        if [[ $rc -ne 0 || -z $line ]]; then
            log "  the hostile client did not report (exit $rc)"
            line="RESULT hostile=the hostile client did not report (exit $rc)"
        fi
        held=$(kv probe_held "$line")
        fresh=$(kv probe_fresh "$line")
        ah=$(kv after_held_ms "$line")
        af=$(kv after_fresh_ms "$line")
        hostile=${line#*hostile=}
        up=yes
        [[ $state == alive* && $state != *DEAD* ]] || up=no
        for p in "$held" "$fresh"; do
            [[ -n $p && ${p%/*} == "${p#*/}" && ${p#*/} != 0 ]] || up=no
        done
        [[ -n $ah && $ah != fail && -n $af && $af != fail ]] || up=no
        log "  $line"
        log "  -> stayed up: $up; probes held $held (max $(kv probe_held_max_ms "$line") ms), fresh $fresh" \
            "(max $(kv probe_fresh_max_ms "$line") ms), after: held $ah ms, fresh $af ms; failures: $(kv probe_failures "$line")"
        log "  -> $t: RSS $((${r0:-0} / 1024)) MiB before, peak $rpeak MiB (VmHWM $((${hwm:-0} / 1024)) MiB), peak heap used" \
            "$hpeak MiB, peak open files $fpeak; process $state${uppeak:+; upstream serve peak RSS $uppeak MiB}"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$t" "$up" "$held" \
            "$(kv probe_held_max_ms "$line")" "$fresh" "$(kv probe_fresh_max_ms "$line")" "$ah" "$af" \
            "$((${r0:-0} / 1024))" "$rpeak" "$((${hwm:-0} / 1024))" "$hpeak" "$fpeak" "$state" "$hostile" >>"$tsv"
        [[ -n $UP_PID ]] && stop "$UP_PID"
        stop "$PID"
        cp "$LOGF" "${out%.txt}-$tag.log" 2>/dev/null || true
        if [[ -n $UP_PID ]]; then
            cp "$UP_LOG" "${out%.txt}-$tag-upstream.log" 2>/dev/null || true
        fi
    done
done

# ---------------------------------------------------------------- table

log ""
log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
log ""
awk -F'\t' 'NR == 1 { next }
{
    printf "%-9s %-5s up:%-3s probe held %-6s max %7s ms | fresh %-6s max %7s ms | after %s/%s ms | RSS %s -> peak %s MiB (HWM %s) | heap peak %s MiB | fds %s | %s\n",
        $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
    printf "          hostile: %s\n", $16
}' "$tsv" | tee -a "$out"
log ""
log "Saved: $out and $tsv"
