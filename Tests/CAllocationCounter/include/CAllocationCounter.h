#ifndef C_ALLOCATION_COUNTER_H
#define C_ALLOCATION_COUNTER_H

/* Counts the heap allocations (malloc, calloc, realloc, posix_memalign,
 * aligned_alloc, memalign) made by the calling thread since the last reset.
 * The test binary defines malloc & co. itself and forwards them to glibc's
 * __libc_* entry points, so every allocation in the process passes through
 * here (the Swift runtime's included); only the calling thread's are counted. */
void fulcrum_allocations_reset(void);
long fulcrum_allocations_count(void);
/* 0 in a build under AddressSanitizer, which owns malloc: nothing is
 * counted there, and allocation tests skip. */
int fulcrum_allocations_counted(void);

#endif
