#!/usr/bin/env bash
# libFuzzer targets of Fulcrum's pure parsers (see README.md).
#   Tests/Fuzz/run.sh --list             the targets
#   Tests/Fuzz/run.sh TARGET SECONDS     build, then fuzz TARGET for SECONDS on a
#                                        copy of Corpus/TARGET; non-zero on a crash
#   Tests/Fuzz/run.sh --build TARGET     build only
#   Tests/Fuzz/run.sh --repro TARGET FILE  run one input (a reproducer) once
# FUZZ_ASAN=0 builds without AddressSanitizer (into .build/fuzz-noasan): three
# to four times the executions a second, for the long runs; Swift's own
# bounds and overflow traps still stop the run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
asan=${FUZZ_ASAN:-1}
if [[ $asan == 0 ]]; then build=${FUZZ_BUILD_DIR:-$root/.build/fuzz-noasan}; else build=${FUZZ_BUILD_DIR:-$root/.build/fuzz}; fi
if ! command -v swiftc >/dev/null; then export PATH="/opt/swift/usr/bin:$PATH"; fi

# Release code (-O keeps Swift's traps) with libFuzzer's coverage and
# AddressSanitizer, which catches the unsafe-pointer reads -O does not check.
flags=(-O -sanitize=fuzzer,address -parse-as-library -swift-version 5 -use-ld=lld)
if [[ $asan == 0 ]]; then flags[1]=-sanitize=fuzzer; fi

# The pure modules' dependencies, as in Package.swift.
module_deps() {
    case "$1" in
        FulcrumBytes) echo "" ;;
        FulcrumHTTP | FulcrumLog | FulcrumVRRP | FulcrumDNS) echo "FulcrumBytes" ;;
        FulcrumHTTP2) echo "FulcrumBytes FulcrumHTTP" ;;
        FulcrumConfig) echo "FulcrumBytes FulcrumLog" ;;
        FulcrumCore) echo "FulcrumBytes FulcrumLog FulcrumConfig FulcrumHTTP" ;;
        *) echo "unknown module $1" >&2; exit 2 ;;
    esac
}

targets() { for f in "$here"/Targets/*.swift; do basename "$f" .swift; done; }

# The header lines of a target: "// modules: A B" and "// support: X Y".
header() { sed -n "s|^// $2: ||p" "$here/Targets/$1.swift" | head -1; }

# One module as one object (whole-module), rebuilt when a source, a
# dependency or this script is newer than its object.
build_module() {
    local m=$1 d
    [[ -n "${built[$m]:-}" ]] && return 0
    for d in $(module_deps "$m"); do build_module "$d"; done
    local obj="$build/$m.o"
    if [[ ! -f "$obj" ]] || [[ -n "$(find "$root/Sources/$m" "${BASH_SOURCE[0]}" $(for d in $(module_deps "$m"); do echo "$build/$d.o"; done) -newer "$obj" -print -quit)" ]]; then
        echo "== fuzz: building $m" >&2
        swiftc "${flags[@]}" -wmo -module-name "$m" -I "$build" \
            -emit-module -emit-module-path "$build/$m.swiftmodule" \
            -c $(find "$root/Sources/$m" -name '*.swift' | sort) -o "$obj"
    fi
    built[$m]=1
}

build_target() {
    local t=$1 m s
    [[ -f "$here/Targets/$t.swift" ]] || { echo "no fuzz target $t (try --list)" >&2; exit 2; }
    mkdir -p "$build"
    declare -gA built=()
    local objs=() sources=("$here/Targets/$t.swift" "$here/Support/FuzzSupport.swift")
    for m in $(header "$t" modules); do build_module "$m"; done
    for m in $(header "$t" modules); do
        objs+=("$build/$m.o")
        for d in $(module_deps "$m"); do [[ " ${objs[*]} " == *" $build/$d.o "* ]] || objs+=("$build/$d.o"); done
    done
    for s in $(header "$t" support); do sources+=("$here/Support/$s.swift"); done
    local bin="$build/bin/$t"
    mkdir -p "$build/bin"
    if [[ ! -x "$bin" ]] || [[ -n "$(find "${sources[@]}" "${objs[@]}" -newer "$bin" -print -quit)" ]]; then
        echo "== fuzz: linking $t" >&2
        swiftc "${flags[@]}" -I "$build" "${sources[@]}" "${objs[@]}" -o "$bin"
    fi
    echo "$bin"
}

# libFuzzer's own crash handling writes the reproducer; Swift's backtracer
# would catch the signal first. Swift's runtime caches look like leaks.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

case "${1:-}" in
    --list) targets; exit 0 ;;
    --build) build_target "${2:?target}" >/dev/null; exit 0 ;;
    --repro) bin=$(build_target "${2:?target}"); exec "$bin" -runs=1 "${3:?file}" ;;
    "" | -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac

target=$1
seconds=${2:?usage: run.sh TARGET SECONDS}
bin=$(build_target "$target")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
if [[ -d "$here/Corpus/$target" ]]; then cp -R "$here/Corpus/$target/." "$work/corpus/"; fi
crashes="$build/crashes/$target"
mkdir -p "$crashes"
log="$build/$target.log"
status=0
"$bin" "$work/corpus" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1 || status=$?
# "#123456 DONE cov: ... exec/s: ..." and the final stats.
grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" | sed "s|^|$target: |" || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" | sed "s|^|$target: |" || true
if [[ $status -ne 0 ]]; then
    tail -60 "$log"
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    echo "$target: FAILED (exit $status); reproducer: ${repro:-none}; log: $log" >&2
    echo "  replay: Tests/Fuzz/run.sh --repro $target ${repro:-FILE}" >&2
    exit 1
fi
echo "$target: ok, ${seconds}s, no crash"
