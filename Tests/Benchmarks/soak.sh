# bench.sh's soak case (issue 17), sourced by bench.sh, not run alone:
#
#   Tests/Benchmarks/bench.sh soak
#
# Fulcrum `workers 2` on the http config (keep-alive both sides, nginx
# behind) under wrk load: BENCH_SOAK_WARMUP of load, then BENCH_SOAK_DURATION
# more while the RSS of the master and workers (summed, /proc/PID/status
# VmRSS) is sampled every BENCH_SOAK_SAMPLE seconds. It passes when
#   - the samples stay within BENCH_SOAK_FLAT % of one another (max over min),
#   - wrk saw 0 errors (socket errors, timeouts, non-2xx answers) in either run,
#   - the same workers serve throughout (none died and was replaced),
#   - each worker's open descriptors (/proc/PID/fd), counted before any
#     request, are back to that count once the load stopped (waited for up to
#     BENCH_SOAK_RETURN seconds: idle server connections go at their timeouts).
# Ten minutes of both cores is not run per commit (.ci/run): this is where the
# long measurements live.
#
# Environment (all optional):
#   BENCH_SOAK_DURATION=600     seconds of measured load
#   BENCH_SOAK_WARMUP=60        seconds of load before the first sample
#   BENCH_SOAK_SAMPLE=10        seconds between RSS samples
#   BENCH_SOAK_CONNECTIONS=100  wrk -c (wrk -t is BENCH_THREADS)
#   BENCH_SOAK_FLAT=5           maximum % the RSS samples spread
#   BENCH_SOAK_RETURN=120       seconds to wait for descriptors to return

SOAK_DURATION=${BENCH_SOAK_DURATION:-600}
SOAK_WARMUP=${BENCH_SOAK_WARMUP:-60}
SOAK_SAMPLE=${BENCH_SOAK_SAMPLE:-10}
SOAK_CONNECTIONS=${BENCH_SOAK_CONNECTIONS:-100}
SOAK_FLAT=${BENCH_SOAK_FLAT:-5}
SOAK_RETURN=${BENCH_SOAK_RETURN:-120}
SOAK_RESULTS=()  # lines: name|value|verdict

config_soak() { config_http "$@"; }

# tree_rss PID: VmRSS in KB summed over PID and its children.
tree_rss() {
    local p total=0 kb
    for p in "$1" $(pgrep -P "$1" || true); do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || kb=0
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}

# worker_fds PID: "WORKER:COUNT ..." for each child of the master PID.
worker_fds() {
    local w
    for w in $(pgrep -P "$1" | sort -n); do
        printf '%s:%s ' "$w" "$(ls "/proc/$w/fd" 2>/dev/null | wc -l)"
    done
}

# wrk_errors FILE: socket errors plus non-2xx/3xx answers in wrk's output.
wrk_errors() {
    awk '/Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10}
         /Non-2xx or 3xx responses:/ {n += $NF}
         END {print n + 0}' "$1"
}

soak_result() { SOAK_RESULTS+=("$1|$2|$3"); [[ $3 == ok ]] || FAILED=1; }

bench_soak() {
    if ! start_proxy fulcrum soak 2 1; then
        soak_result "start" "$START_FAILURE" FAILED
        return
    fi
    local pid=$PROXY_PID url="http://127.0.0.1:$PROXY_PORT/index.html" i
    # The workers are up once two children answer for the port.
    for ((i = 0; i < 100; i++)); do
        (( $(pgrep -cP "$pid") >= 2 )) && break
        sleep 0.1
    done
    sleep 2
    local workers baseline
    workers=$(pgrep -P "$pid" | sort -n | tr '\n' ' ')
    baseline=$(worker_fds "$pid")
    log "soak: fulcrum workers $workers, descriptors before any request: $baseline"
    local warm="$WORK/soak-warmup.txt" out="$WORK/soak-wrk.txt" samples="$WORK/soak-rss.txt"
    log "soak: warm-up ${SOAK_WARMUP}s, wrk -t $THREADS -c $SOAK_CONNECTIONS"
    timeout $((SOAK_WARMUP + 60)) wrk -t "$THREADS" -c "$SOAK_CONNECTIONS" -d "${SOAK_WARMUP}s" "$url" >"$warm" 2>&1 \
        || { soak_result "warm-up" "wrk failed: $(tail -1 "$warm")" FAILED; stop_pid "$pid"; return; }
    log "soak: ${SOAK_DURATION}s of load, RSS every ${SOAK_SAMPLE}s"
    timeout $((SOAK_DURATION + 60)) wrk -t "$THREADS" -c "$SOAK_CONNECTIONS" -d "${SOAK_DURATION}s" --latency "$url" \
        >"$out" 2>&1 &
    local client=$! start=$SECONDS
    PIDS+=("$client")
    : >"$samples"
    while kill -0 "$client" 2>/dev/null && ((SECONDS - start < SOAK_DURATION - 1)); do
        echo "$((SECONDS - start)) $(tree_rss "$pid")" >>"$samples"
        sleep "$SOAK_SAMPLE"
    done
    wait "$client" || { soak_result "soak" "wrk failed: $(tail -1 "$out")" FAILED; stop_pid "$pid"; return; }

    local rps p99 errors min max first last spread
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    soak_result "requests" "$(awk '/ requests in / {print $1}' "$out") at $rps req/s, p99 $p99" ok
    errors=$(( $(wrk_errors "$warm") + $(wrk_errors "$out") ))
    soak_result "errors" "$errors" "$( ((errors == 0)) && echo ok || echo FAILED)"
    read -r min max first last <<<"$(awk 'NR == 1 {f = $2; mn = $2; mx = $2}
        {mn = ($2 < mn ? $2 : mn); mx = ($2 > mx ? $2 : mx); l = $2}
        END {print mn, mx, f, l}' "$samples")"
    spread=$(awk -v a="$min" -v b="$max" 'BEGIN { printf "%.2f", (b - a) * 100 / a }')
    soak_result "RSS KB ($(wc -l <"$samples") samples)" "first $first last $last min $min max $max: spread $spread%" \
        "$(awk -v s="$spread" -v t="$SOAK_FLAT" 'BEGIN { print (s <= t ? "ok" : "FAILED") }')"
    local now
    now=$(pgrep -P "$pid" | sort -n | tr '\n' ' ')
    soak_result "workers" "before $workers after $now" "$([[ $now == "$workers" ]] && echo ok || echo FAILED)"
    local after=""
    for ((i = 0; i < SOAK_RETURN * 2; i++)); do
        after=$(worker_fds "$pid")
        [[ $after == "$baseline" ]] && break
        sleep 0.5
    done
    soak_result "worker descriptors" "before $baseline after $after ($((i / 2)) s after the load)" \
        "$([[ $after == "$baseline" ]] && echo ok || echo FAILED)"
    stop_pid "$pid"
}

print_soak_table() {
    [[ ${#SOAK_RESULTS[@]} -eq 0 ]] && return 0
    local line name value verdict
    printf '\nsoak: fulcrum workers 2, %ss of load after %ss of warm-up (wrk -t %s -c %s)\n' \
        "$SOAK_DURATION" "$SOAK_WARMUP" "$THREADS" "$SOAK_CONNECTIONS"
    for line in "${SOAK_RESULTS[@]}"; do
        IFS='|' read -r name value verdict <<<"$line"
        printf '  %-28s %-8s %s\n' "$name" "$verdict" "$value"
    done
    [[ " ${SOAK_RESULTS[*]} " == *"|FAILED"* ]] && MISSED+=("soak")
    echo "(targets: RSS spread <= ${SOAK_FLAT}%, 0 errors, same workers, descriptors back to their count before any request)"
}
