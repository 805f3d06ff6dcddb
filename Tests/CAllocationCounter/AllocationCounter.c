#define _GNU_SOURCE
#include <stddef.h>
#include <errno.h>
#include "CAllocationCounter.h"

#if defined(__SANITIZE_ADDRESS__)
#define FULCRUM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FULCRUM_UNDER_ASAN 1
#endif
#endif
#ifndef FULCRUM_UNDER_ASAN
#define FULCRUM_UNDER_ASAN 0
#endif

/* glibc's own allocator entry points (exported since GLIBC_2.0). */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *p);

static __thread long allocations;

void fulcrum_allocations_reset(void) { allocations = 0; }
long fulcrum_allocations_count(void) { return allocations; }

#if FULCRUM_UNDER_ASAN
/* AddressSanitizer owns malloc: interposing it here would hand ASan
 * pointers it never allocated. Nothing is counted (tests skip). */
int fulcrum_allocations_counted(void) { return 0; }
#else
int fulcrum_allocations_counted(void) { return 1; }

void *malloc(size_t size) { allocations++; return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { allocations++; return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { allocations++; return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { allocations++; return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    allocations++;
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
#endif
