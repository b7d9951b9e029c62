// pool.c: a fixed team of threads (see pool.h).
//
// One mutex and two condition variables: a run bumps the generation and wakes the
// workers; the last worker to finish wakes the caller. Both sides spin before they
// sleep: the trainer's phases follow each other within microseconds, and a futex
// wake-up per phase would cost more than a short phase. The spin is bounded in time, not
// in pause instructions (a pause takes 10 to 140 cycles, by CPU): 50 us covers the
// serial part between two minibatches (gradient-norm clip, Adam, the next minibatch's
// copy), which on cartpole is 20-50 us; 4 us made the worker sleep there, and the update
// took 13% longer (docs/trainer.md).
#include "util/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/clock.h"

#define POOL_MAX 64
#define POOL_SPIN_S 50e-6

typedef struct pool_worker {
    pool *p;
    int index;
    pthread_t th;
} pool_worker;

struct pool {
    int n, started;
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    unsigned long gen;      // runs so far (read without the lock while spinning)
    int pending;            // workers still running the current run
    int stop;
    pool_fn fn;
    void *ctx;
    pool_worker w[POOL_MAX];
};

// Still waiting: a worker for a run after the one it has seen (or the stop), the caller
// (worker NULL) for the workers of its run.
static int waiting(pool *p, const pool_worker *worker, unsigned long seen) {
    if (!worker) return __atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) > 0;
    return __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE) == seen && !__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE);
}

// Spin while waiting, for at most POOL_SPIN_S (the clock is read every 16 pauses).
static void spin(pool *p, const pool_worker *worker, unsigned long seen) {
    double end = 0;
    for (int i = 0; waiting(p, worker, seen); i++) {
        __builtin_ia32_pause();
        if (i % 16 == 0) {
            double t = now_s();
            if (end == 0) end = t + POOL_SPIN_S;
            else if (t > end) return;
        }
    }
}

static void *pool_main(void *arg) {
    pool_worker *w = arg;
    pool *p = w->p;
    unsigned long seen = 0;
    for (;;) {
        spin(p, w, seen);
        pthread_mutex_lock(&p->lock);
        while (p->gen == seen && !p->stop) pthread_cond_wait(&p->go, &p->lock);
        if (p->stop) {
            pthread_mutex_unlock(&p->lock);
            return NULL;
        }
        seen = p->gen;
        pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->lock);
        fn(ctx, w->index);
        pthread_mutex_lock(&p->lock);
        if (__atomic_sub_fetch(&p->pending, 1, __ATOMIC_RELEASE) == 0) pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->lock);
    }
}

pool *pool_new(int n_threads, err_info *e) {
    if (n_threads < 1 || n_threads > POOL_MAX) {
        err_set(e, ERR_USAGE, "%d threads asked for: use 1..%d", n_threads, POOL_MAX);
        return NULL;
    }
    pool *p = calloc(1, sizeof *p);
    if (!p) {
        err_set(e, ERR_NOMEM, "out of memory for a thread pool");
        return NULL;
    }
    p->n = n_threads;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 1; i < n_threads; i++) {
        p->w[i] = (pool_worker){p, i, 0};
        if (pthread_create(&p->w[i].th, NULL, pool_main, &p->w[i]) != 0) {
            pool_free(p);
            err_set(e, ERR_INTERNAL, "could not start thread %d of %d", i, n_threads);
            return NULL;
        }
        p->started = i;
    }
    return p;
}

void pool_free(pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->lock);
    for (int i = 1; i <= p->started; i++) pthread_join(p->w[i].th, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p);
}

int pool_size(const pool *p) { return p->n; }

void pool_run(pool *p, pool_fn fn, void *ctx) {
    if (p->n > 1) {
        pthread_mutex_lock(&p->lock);
        p->fn = fn;
        p->ctx = ctx;
        p->pending = p->n - 1;
        __atomic_store_n(&p->gen, p->gen + 1, __ATOMIC_RELEASE);
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->lock);
    }
    fn(ctx, 0);
    if (p->n > 1) {
        spin(p, NULL, 0);
        pthread_mutex_lock(&p->lock);
        while (p->pending > 0) pthread_cond_wait(&p->done, &p->lock);
        pthread_mutex_unlock(&p->lock);
    }
}
