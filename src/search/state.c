// state.c: the helpers every part of a search uses (see state.h).
#include "search/state.h"

#include <math.h>

void search_emit(search *S, const char *type, cJSON *fields) {
    if (S->c->on_event) S->c->on_event(S->c->ctx, type, fields);
    err_info e;
    run_event(S->dir, type, fields, &e);   // events are a log: a failed append is not fatal
}

int search_interrupted(const search *S, err_info *e) {
    if (!S->c->stop || !*S->c->stop) return 0;
    err_set(e, ERR_INTERRUPTED, "interrupted; continue with: eureka search --resume %s", S->dir);
    return 1;
}

void search_reject(search *S, const char *what, const char *msg) {
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "file", what);
    cJSON_AddStringToObject(x, "message", msg);
    search_emit(S, "result_rejected", x);
}

static void batch_progress(void *ctx, const judge_progress *jp) {
    const search_batch *b = ctx;
    const search_cfg *c = b->S->c;
    if (!c->on_progress) return;
    int tournament = b->iteration > 0;
    search_progress p = {tournament ? b->iteration : jp->job->iteration, jp->job->sample,
                         tournament ? jp->job->iteration : 0, jp->steps, jp->total, jp->sps,
                         isnan(jp->fitness) ? -1 : jp->fitness};
    c->on_progress(c->ctx, &p);
}

judge_opts search_judge_opts(search_batch *b) {
    return (judge_opts){b->S->t, b->S->jobs, b->S->c->stop, batch_progress, NULL, b};
}

void search_train(const search *S, judge_job *jobs, int n, judge_verdict *out) {
    search_batch b = {S, 0};
    judge_opts o = search_judge_opts(&b);
    judge_run(&o, jobs, n, out);
}
