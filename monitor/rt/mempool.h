/* The pool of freed linear memories kept for reuse (rt/memory.c): what callers may ask of it. */
#ifndef IV_RT_MEMPOOL_H
#define IV_RT_MEMPOOL_H

/*
 * Unmaps and closes every pooled memory, and returns how many there were. The pool holds
 * at most 64, each a reservation and a memfd; how many depends on how many cVMs were alive
 * at once, so a caller comparing descriptor or memory counts over time drains it first.
 */
unsigned rt_memory_pool_drain(void);

#endif
