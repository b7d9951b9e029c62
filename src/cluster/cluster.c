// cluster.c: the driver's runner and the trainers' serve loop over MPI (see cluster.h).
//
// Only the main thread of the driver calls MPI. A trainer has two threads while a job
// runs: the main one inside the local judge, and a link thread that answers the driver
// (progress, heartbeat, STOP); they take turns (MPI_THREAD_SERIALIZED): the link thread
// exists only between the JOB and the VERDICT. Waiting is done by probing and sleeping,
// never in a blocking MPI call: OpenMPI spins in those and would take a core from the
// trainings.
#define _GNU_SOURCE 1
#include "cluster/cluster.h"

#include <math.h>
#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/wire.h"

enum { TAG_JOB = 1, TAG_VERDICT, TAG_PROGRESS, TAG_STOP, TAG_SHUTDOWN };

#define HOST_MAX 64
#define PROGRESS_MAX 4096       // bytes of one PROGRESS message
#define HEARTBEAT_S 1.0         // a busy trainer speaks at least this often
#define TIMEOUT_DEFAULT_S 60.0  // silence after which a busy trainer is taken as dead

typedef struct trainer {
    int busy;       // a JOB went out and its VERDICT has not come back
    int job;        // its index in the running batch; -1 when stale (stopped, earlier batch)
    unsigned seq;
    double heard;   // time of its last message (or of the JOB)
} trainer;

static struct {
    int on;                 // MPI initialised by us
    int rank, size;
    char (*host)[HOST_MAX]; // driver: every rank's host
    trainer *tr;            // driver: ranks 1..size-1
    unsigned seq;
    double timeout;
    char failure[ERR_MSG_MAX];
} C = {0, 0, 1, NULL, NULL, 0, TIMEOUT_DEFAULT_S, ""};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void nap_ms(int ms) {
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

int cluster_rank(void) { return C.rank; }
int cluster_size(void) { return C.size; }
const char *cluster_failure(void) { return C.failure[0] ? C.failure : NULL; }

void cluster_abort(int status) {
    if (C.on) MPI_Abort(MPI_COMM_WORLD, status);
}

// Receive the message st announced: NULL (message consumed and dropped) when it is over
// cap or memory is short.
static char *recv_msg(const MPI_Status *st, size_t cap, size_t *len) {
    int n = 0;
    MPI_Get_count(st, MPI_BYTE, &n);
    char *m = n >= 0 && (size_t)n <= cap ? malloc(n > 0 ? (size_t)n : 1) : NULL;
    if (!m) {
        char drop;  // a receive into a short buffer consumes the message (MPI_ERR_TRUNCATE)
        MPI_Recv(&drop, 0, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        return NULL;
    }
    if (MPI_Recv(m, n, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
        free(m);
        return NULL;
    }
    *len = (size_t)n;
    return m;
}

// ---- driver ----------------------------------------------------------------------

static void fail(int r, const char *fmt, double secs) {
    if (C.failure[0]) return;
    char why[160];
    snprintf(why, sizeof why, fmt, secs);
    snprintf(C.failure, sizeof C.failure, "MPI rank %d on host %s %s: the job ends here; every result received "
             "is saved (eureka search --resume RUN continues, with or without MPI)", r, C.host[r], why);
}

// Send from the driver without blocking for longer than the timeout: a dead trainer
// must not hang the driver. 0 when sent.
static int send_to(int r, int tag, const void *buf, size_t len) {
    MPI_Request rq;
    if (len > (size_t)2147483647 ||
        MPI_Isend(buf, (int)len, MPI_BYTE, r, tag, MPI_COMM_WORLD, &rq) != MPI_SUCCESS) {
        fail(r, "could not be sent a message", 0);
        return -1;
    }
    double t0 = now_s();
    for (;;) {
        int done = 0;
        if (MPI_Test(&rq, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) { fail(r, "could not be sent a message", 0); return -1; }
        if (done) return 0;
        if (now_s() - t0 > C.timeout) { fail(r, "took no message for %.0f s", C.timeout); return -1; }
        nap_ms(1);
    }
}

// A trainer's PROGRESS: to the batch's progress callback when it is about a running job.
static void on_progress_msg(const judge_opts *o, judge_job *jobs, trainer *t, const char *m, size_t len) {
    cJSON *p = cJSON_ParseWithLength(m, len);
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(p, "seq");
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(p, "steps");
    if (o && o->on_progress && t->job >= 0 && cJSON_IsNumber(seq) && (unsigned)seq->valuedouble == t->seq &&
        cJSON_IsNumber(steps)) {
        const cJSON *x;
        judge_progress jp = {&jobs[t->job], (long)steps->valuedouble, jobs[t->job].cfg.steps, 0, NAN};
        if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(p, "total"))) jp.total = (long)x->valuedouble;
        if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(p, "sps"))) jp.sps = x->valuedouble;
        if (cJSON_IsNumber(x = cJSON_GetObjectItemCaseSensitive(p, "fitness"))) jp.fitness = x->valuedouble;
        o->on_progress(o->ctx, &jp);
    }
    cJSON_Delete(p);
}

// A trainer's VERDICT: the job's ending (or, stale, dropped). Returns 1 when it ended a
// job of the running batch.
static int on_verdict_msg(const judge_opts *o, judge_verdict *out, int r, const char *m, size_t len) {
    trainer *t = &C.tr[r];
    judge_verdict v;
    unsigned seq = 0;
    err_info e = {0};
    int bad = m ? wire_verdict_decode(m, len, &v, &seq, &e) : err_set(&e, ERR_LIMIT, "a verdict over the size cap");
    t->busy = 0;
    int i = t->job;
    t->job = -1;
    if (i < 0) {  // stale: the job was stopped
        if (!bad) judge_verdict_free(&v);
        return 0;
    }
    if (!bad && seq != t->seq) {
        judge_verdict_free(&v);
        bad = err_set(&e, ERR_PARSE, "a verdict for job %u, not %u", seq, t->seq);
    }
    if (bad) {
        memset(&v, 0, sizeof v);
        v.status = SB_ERROR;
        snprintf(v.message, sizeof v.message, "MPI rank %d on %s sent an unreadable verdict: %.300s", r, C.host[r], e.msg);
    }
    out[i] = v;
    if (o->on_done) o->on_done(o->ctx, i, &out[i]);
    return 1;
}

// Take every message waiting (so that a driver busy elsewhere for a while does not
// mistake queued heartbeats for silence), then check the busy trainers' silence.
// Returns the number of batch jobs that ended; *got says whether anything came.
static int pump(const judge_opts *o, judge_job *jobs, judge_verdict *out, int *got) {
    int ended = 0;
    *got = 0;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS || !flag) break;
        *got = 1;
        int r = st.MPI_SOURCE;
        size_t len = 0;
        char *m = recv_msg(&st, st.MPI_TAG == TAG_VERDICT ? WIRE_MAX : PROGRESS_MAX, &len);
        if (r > 0 && r < C.size) {
            C.tr[r].heard = now_s();
            if (st.MPI_TAG == TAG_VERDICT && C.tr[r].busy) ended += on_verdict_msg(o, out, r, m, len);
            else if (st.MPI_TAG == TAG_PROGRESS && m) on_progress_msg(o, jobs, &C.tr[r], m, len);
        }
        free(m);
    }
    double now = now_s();
    for (int r = 1; r < C.size; r++)
        if (C.tr[r].busy && now - C.tr[r].heard > C.timeout) fail(r, "sent nothing for %.0f s", now - C.tr[r].heard);
    return ended;
}

static void interrupted(judge_verdict *v, const char *msg) {
    judge_verdict_free(v);
    memset(v, 0, sizeof *v);
    v->status = SB_INTERRUPTED;
    snprintf(v->message, sizeof v->message, "%s", msg);
}

// Stop what runs: STOP to each trainer on a batch job (its verdict, when it comes, is
// dropped), and the jobs end as interrupted, as the local pool's do.
static void stop_batch(judge_verdict *out) {
    for (int r = 1; r < C.size; r++) {
        trainer *t = &C.tr[r];
        if (t->job < 0) continue;
        interrupted(&out[t->job], "stopped before it finished (interrupted)");
        t->job = -1;
        if (!C.failure[0]) send_to(r, TAG_STOP, &t->seq, sizeof t->seq);
    }
}

// The judge runner of the driver: first free trainer takes the next job.
static int cluster_run(const judge_opts *o, judge_job *jobs, int n, judge_verdict *out) {
    int next = 0, running = 0, ended = 0;
    for (;;) {
        if (C.failure[0] && o->stop) *o->stop = 1;  // every caller already ends on its stop flag
        if (C.failure[0] || (o->stop && *o->stop)) {
            stop_batch(out);     // jobs not started stay untouched, as in the local pool
            return -1;
        }
        for (int r = 1; r < C.size && next < n; r++) {
            if (C.tr[r].busy) continue;
            while (next < n && jobs[next].skip) next++;
            if (next == n) break;
            int i = next++;
            size_t len = 0;
            char *m = wire_job_encode(&jobs[i], o->task, ++C.seq, &len);
            if (!m) {
                memset(&out[i], 0, sizeof out[i]);
                out[i].status = SB_ERROR;
                snprintf(out[i].message, sizeof out[i].message, "out of memory sending the job to rank %d", r);
                ended++;
                if (o->on_done) o->on_done(o->ctx, i, &out[i]);
                continue;
            }
            memset(&out[i], 0, sizeof out[i]);
            C.tr[r] = (trainer){1, i, C.seq, now_s()};
            running++;
            send_to(r, TAG_JOB, m, len);
            free(m);
        }
        while (next < n && jobs[next].skip) next++;
        if (next == n && running == 0) return ended;
        int got = 0, e = pump(o, jobs, out, &got);
        ended += e;
        running -= e;
        if (!got) nap_ms(5);
    }
}

int cluster_start(int *argc, char ***argv, int force, err_info *e) {
    if (!force && !getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return ERR_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
        return err_set(e, ERR_RUNTIME, "MPI did not start (is eureka launched by mpirun or srun?)");
    C.on = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &C.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &C.size);
    if (provided < MPI_THREAD_SERIALIZED)
        return err_set(e, ERR_RUNTIME, "this MPI library offers no MPI_THREAD_SERIALIZED (trainers need it)");
    char me[HOST_MAX] = "", name[MPI_MAX_PROCESSOR_NAME];
    int nl = 0;
    if (MPI_Get_processor_name(name, &nl) == MPI_SUCCESS) snprintf(me, sizeof me, "%.*s", nl, name);
    if (C.rank == 0) {
        C.host = calloc((size_t)C.size, sizeof *C.host);
        C.tr = calloc((size_t)C.size, sizeof *C.tr);
        if (!C.host || !C.tr) return err_set(e, ERR_NOMEM, "out of memory for %d MPI ranks", C.size);
        const char *t = getenv("EUREKA_MPI_TIMEOUT");
        double x = t ? atof(t) : 0;
        if (x >= 1) C.timeout = x;
    }
    MPI_Gather(me, HOST_MAX, MPI_CHAR, C.host ? C.host[0] : NULL, HOST_MAX, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (C.rank == 0 && C.size > 1) judge_set_runner(cluster_run);
    return ERR_OK;
}

int cluster_stop(void) {
    if (!C.on) return ERR_OK;
    // Stopped jobs still owe a verdict: take them, so that no trainer is left in a send.
    for (;;) {
        int busy = 0, got = 0;
        for (int r = 1; r < C.size; r++) busy |= C.tr[r].busy;
        if (!busy || C.failure[0]) break;
        pump(NULL, NULL, NULL, &got);
        if (!got) nap_ms(5);
    }
    for (int r = 1; r < C.size && !C.failure[0]; r++) send_to(r, TAG_SHUTDOWN, NULL, 0);
    if (C.failure[0]) return ERR_RUNTIME;
    judge_set_runner(NULL);
    MPI_Finalize();
    C.on = 0;
    return ERR_OK;
}

// ---- trainer ---------------------------------------------------------------------

typedef struct tlink {
    pthread_mutex_t mu;
    unsigned seq;
    int done;                   // the job ended: the link thread leaves
    int have;                   // a progress report arrived since the last PROGRESS
    long steps, total;
    double sps, fitness;
    volatile sig_atomic_t stop; // the judge rereads it every poll round (at most 200 ms)
} tlink;

static void trainer_progress(void *ctx, const judge_progress *p) {
    tlink *l = ctx;
    pthread_mutex_lock(&l->mu);
    l->have = 1;
    l->steps = p->steps;
    l->total = p->total;
    l->sps = p->sps;
    l->fitness = p->fitness;
    pthread_mutex_unlock(&l->mu);
}

// The PROGRESS message now: the latest report, or a bare heartbeat.
static void send_progress(tlink *l) {
    cJSON *o = cJSON_CreateObject();
    pthread_mutex_lock(&l->mu);
    cJSON_AddNumberToObject(o, "seq", l->seq);
    if (l->have) {
        cJSON_AddNumberToObject(o, "steps", (double)l->steps);
        cJSON_AddNumberToObject(o, "total", (double)l->total);
        cJSON_AddNumberToObject(o, "sps", l->sps);
        if (isfinite(l->fitness)) cJSON_AddNumberToObject(o, "fitness", l->fitness);
    }
    l->have = 0;
    pthread_mutex_unlock(&l->mu);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (s) MPI_Send(s, (int)strlen(s), MPI_BYTE, 0, TAG_PROGRESS, MPI_COMM_WORLD);
    free(s);
}

// The link thread: the trainer's side of the conversation while its judge runs.
static void *link_main(void *arg) {
    tlink *l = arg;
    double last = 0;
    for (;;) {
        pthread_mutex_lock(&l->mu);
        int done = l->done;
        pthread_mutex_unlock(&l->mu);
        if (done) return NULL;
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (flag && (st.MPI_TAG == TAG_STOP || st.MPI_TAG == TAG_SHUTDOWN)) {
            unsigned seq = 0;
            size_t len = 0;
            char *m = recv_msg(&st, sizeof seq, &len);
            if (m && len == sizeof seq) memcpy(&seq, m, sizeof seq);
            free(m);
            // SHUTDOWN comes only to idle trainers; should one arrive, stopping is right.
            if (st.MPI_TAG == TAG_SHUTDOWN || seq == l->seq) l->stop = 1;
        }
        if (now_s() - last >= HEARTBEAT_S) {
            send_progress(l);
            last = now_s();
        }
        nap_ms(50);
    }
}

// Run one job through the local judge while the link thread talks to the driver;
// returns the VERDICT message.
static char *serve_job(const wire_job *w, size_t *len) {
    tlink l;
    memset(&l, 0, sizeof l);
    pthread_mutex_init(&l.mu, NULL);
    l.seq = w->seq;
    l.fitness = NAN;
    judge_job job = w->job;
    judge_verdict v;
    memset(&v, 0, sizeof v);
    judge_opts o = {w->task, 1, &l.stop, trainer_progress, NULL, &l};
    pthread_t th;
    int started = pthread_create(&th, NULL, link_main, &l) == 0;
    if (!started) {
        v.status = SB_ERROR;
        snprintf(v.message, sizeof v.message, "the trainer rank could not start its link thread");
    } else {
        judge_run_local(&o, &job, 1, &v);
        pthread_mutex_lock(&l.mu);
        l.done = 1;
        pthread_mutex_unlock(&l.mu);
        pthread_join(th, NULL);
    }
    pthread_mutex_destroy(&l.mu);
    char *m = wire_verdict_encode(&v, w->seq, len);
    judge_verdict_free(&v);
    return m;
}

// A job the trainer cannot run (a malformed message): its verdict says why.
static char *refuse_job(const char *msg, size_t mlen, const err_info *e, size_t *len) {
    judge_verdict v;
    memset(&v, 0, sizeof v);
    v.status = SB_ERROR;
    snprintf(v.message, sizeof v.message, "the trainer rank could not read the job: %.400s", e->msg);
    unsigned seq = 0;
    cJSON *h = msg ? cJSON_ParseWithLength(msg, strnlen(msg, mlen)) : NULL;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(h, "seq");
    if (cJSON_IsNumber(s)) seq = (unsigned)s->valuedouble;
    cJSON_Delete(h);
    return wire_verdict_encode(&v, seq, len);
}

int cluster_serve(void) {
    // Ctrl-C is the driver's to handle (srun sends it to every task): it stops the jobs
    // with STOP, and the trainers' verdicts still arrive.
    signal(SIGINT, SIG_IGN);
    for (;;) {
        int flag = 0;
        MPI_Status st;
        if (MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS) return 1;
        if (!flag) { nap_ms(10); continue; }
        size_t len = 0;
        char *m = recv_msg(&st, st.MPI_TAG == TAG_JOB ? WIRE_MAX : 64, &len);
        if (st.MPI_TAG == TAG_SHUTDOWN) { free(m); break; }
        if (st.MPI_TAG != TAG_JOB) { free(m); continue; }  // a STOP for a job that has ended
        wire_job w;
        err_info e = {0};
        size_t vlen = 0;
        char *v = !m ? (err_set(&e, ERR_LIMIT, "over the size cap"), refuse_job(NULL, 0, &e, &vlen))
                  : wire_job_decode(m, len, &w, &e) ? refuse_job(m, len, &e, &vlen) : serve_job(&w, &vlen);
        if (m && !e.code) wire_job_free(&w);
        free(m);
        if (!v) return 1;   // out of memory: the driver sees this rank go silent
        int rc = MPI_Send(v, (int)vlen, MPI_BYTE, 0, TAG_VERDICT, MPI_COMM_WORLD);
        free(v);
        if (rc != MPI_SUCCESS) return 1;
    }
    MPI_Finalize();
    return 0;
}
