// pool.h: a fixed team of threads that run one function together, over and over.
//
// The trainer runs hundreds of short parallel phases per second (a rollout, each
// minibatch's critic beside its actor, a checkpoint's evaluation). Starting threads for
// each costs more than some phases and, on a loaded machine, waits for the scheduler.
// A pool starts its threads once; pool_run hands every thread the same function and
// returns when all of them have returned. The caller is thread 0.
#ifndef EUREKA_POOL_H
#define EUREKA_POOL_H

#include "util/err.h"

typedef struct pool pool;

// fn runs once on each thread; thread is 0..pool_size-1 (0 = the caller of pool_run).
typedef void (*pool_fn)(void *ctx, int thread);

// A pool of n_threads (1..64): n_threads - 1 threads are started now.
pool *pool_new(int n_threads, err_info *e);

// Stop the threads and free the pool (NULL is a no-op).
void pool_free(pool *p);

int pool_size(const pool *p);

// Run fn(ctx, i) on every thread i and wait for all. Not reentrant: one run at a time,
// from the thread that made the pool.
void pool_run(pool *p, pool_fn fn, void *ctx);

#endif
