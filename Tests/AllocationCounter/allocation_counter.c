// An LD_PRELOAD library that counts heap allocations per process, as
// swift-nio's allocation-counter tests do, so a test can hold the real
// `fulcrum` binary to an allocation budget without any hook in fulcrum.
//
// Built by the integration tests at test time:
//     cc -O2 -shared -fPIC -o TMP/allocation_counter.so allocation_counter.c
// and loaded with LD_PRELOAD=TMP/allocation_counter.so plus
// ALLOCATION_COUNTER_FILE=PATH. Every process that loads it (the master and
// each child it spawns inherit the environment) claims one slot, keyed by
// pid, in the file PATH, mapped MAP_SHARED, and counts its calls there. The
// test reads the file with plain reads (the mapping and the file share the
// page cache), so it needs nothing from the process it measures.
//
// File layout, every field a little-endian uint64 (AllocationCounterFile.swift
// reads the same layout):
//   header  [0..7]   magic, version, slot count, trace capacity,
//                    trace pid, traces remaining, traces written, reserved
//   slots   SLOTS x 16  pid, then one count per `enum kind` (k_count of them)
//   traces  TRACES x (4 + FRAMES)  pid, kind, size, frame count, frames...
//
// The test asks for backtraces by writing "trace pid" and "traces remaining"
// into the header: the next allocations of that pid record their call
// stacks (raw return addresses; the test maps them to modules with
// /proc/PID/maps and symbolizes them).
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// glibc's own allocator entry points: forwarding to them needs no dlsym
// (which itself allocates).
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define MAGIC 0x544e434f4c4c41ULL  // "ALLOCNT"
#define VERSION 1
#define HEADER_WORDS 8
#define SLOTS 256
#define SLOT_WORDS 16
#define TRACES 512
#define FRAMES 28
#define TRACE_WORDS (4 + FRAMES)

enum kind {
    k_malloc, k_calloc, k_realloc, k_posix_memalign, k_aligned_alloc,
    k_memalign, k_valloc, k_free, k_bytes, k_count
};
_Static_assert(1 + k_count <= SLOT_WORDS, "slot too small");

enum header { h_magic, h_version, h_slots, h_traces, h_trace_pid, h_trace_remaining, h_traces_written };

#define FILE_WORDS (HEADER_WORDS + SLOTS * SLOT_WORDS + TRACES * TRACE_WORDS)

static uint64_t *shared;          // the mapped file, or NULL (not counting)
static int state;                 // 0 not set up, 1 setting up, 2 done
static pid_t slot_pid;            // the pid `slot` was claimed for
static uint64_t *slot;
static __thread int in_hook;      // set while recording: backtrace() may allocate

static pid_t current_pid(void) { return (pid_t)syscall(SYS_getpid); }

static void setup(void) {
    int expected = 0;
    if (!__atomic_compare_exchange_n(&state, &expected, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return;
    const char *path = getenv("ALLOCATION_COUNTER_FILE");
    if (path && *path) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0) {
            size_t size = FILE_WORDS * sizeof(uint64_t);
            struct stat st;
            if (fstat(fd, &st) == 0 && (size_t)st.st_size < size) (void)ftruncate(fd, (off_t)size);
            void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            close(fd);
            if (map != MAP_FAILED) {
                uint64_t *words = map;
                uint64_t zero = 0;
                if (__atomic_compare_exchange_n(&words[h_magic], &zero, MAGIC, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                    words[h_version] = VERSION;
                    words[h_slots] = SLOTS;
                    words[h_traces] = TRACES;
                }
                // Load libgcc's unwinder now, outside any allocation.
                void *frames[4];
                in_hook = 1;
                (void)backtrace(frames, 4);
                in_hook = 0;
                shared = words;
            }
        }
    }
    __atomic_store_n(&state, 2, __ATOMIC_RELEASE);
}

// This process's slot: found by pid (a fork child gets its own), claimed on
// first use. NULL when the table is full or counting is off.
static uint64_t *my_slot(pid_t pid) {
    if (slot && slot_pid == pid) return slot;
    uint64_t *table = shared + HEADER_WORDS;
    for (int i = 0; i < SLOTS; i++) {
        uint64_t *s = table + i * SLOT_WORDS;
        uint64_t owner = __atomic_load_n(&s[0], __ATOMIC_ACQUIRE);
        if (owner == 0) {
            uint64_t zero = 0;
            if (__atomic_compare_exchange_n(&s[0], &zero, (uint64_t)pid, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
                owner = (uint64_t)pid;
            else
                owner = zero;
        }
        if (owner == (uint64_t)pid) {
            slot = s;
            slot_pid = pid;
            return s;
        }
    }
    return NULL;
}

static void record_trace(pid_t pid, enum kind kind, size_t size) {
    int64_t *remaining = (int64_t *)&shared[h_trace_remaining];
    if (__atomic_sub_fetch(remaining, 1, __ATOMIC_ACQ_REL) < 0) return;
    uint64_t index = __atomic_fetch_add(&shared[h_traces_written], 1, __ATOMIC_ACQ_REL);
    if (index >= TRACES) return;
    uint64_t *t = shared + HEADER_WORDS + SLOTS * SLOT_WORDS + index * TRACE_WORDS;
    void *frames[FRAMES];
    int n = backtrace(frames, FRAMES);
    for (int i = 0; i < n; i++) t[4 + i] = (uint64_t)(uintptr_t)frames[i];
    t[1] = (uint64_t)kind;
    t[2] = (uint64_t)size;
    t[3] = (uint64_t)n;
    __atomic_store_n(&t[0], (uint64_t)pid, __ATOMIC_RELEASE);
}

static void count(enum kind kind, size_t size) {
    if (in_hook) return;
    if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) {
        setup();
        if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2) return;
    }
    if (!shared) return;
    pid_t pid = current_pid();
    uint64_t *s = my_slot(pid);
    if (!s) return;
    __atomic_fetch_add(&s[1 + kind], 1, __ATOMIC_RELAXED);
    if (kind == k_free) return;
    __atomic_fetch_add(&s[1 + k_bytes], (uint64_t)size, __ATOMIC_RELAXED);
    if ((pid_t)__atomic_load_n(&shared[h_trace_pid], __ATOMIC_ACQUIRE) == pid
        && (int64_t)__atomic_load_n(&shared[h_trace_remaining], __ATOMIC_ACQUIRE) > 0) {
        in_hook = 1;
        record_trace(pid, kind, size);
        in_hook = 0;
    }
}

__attribute__((constructor)) static void allocation_counter_init(void) { setup(); }

void *malloc(size_t size) {
    count(k_malloc, size);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
    count(k_calloc, n * size);
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size) {
    count(k_realloc, size);
    return __libc_realloc(p, size);
}

void free(void *p) {
    if (p) count(k_free, 0);
    __libc_free(p);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    count(k_posix_memalign, size);
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    count(k_aligned_alloc, size);
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    count(k_memalign, size);
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    count(k_valloc, size);
    return __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}
