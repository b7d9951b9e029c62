// wire.c: judge jobs and verdicts as bytes (see wire.h).
#include "cluster/wire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl/train_cfg.h"
#include "util/sanitize.h"

// header \0 part1 [\0 part2]: one allocation. NULL without memory.
static char *pack(cJSON *head, const void *a, size_t alen, const void *b, size_t blen, int two, size_t *len) {
    char *h = cJSON_PrintUnformatted(head);
    cJSON_Delete(head);
    if (!h) return NULL;
    size_t hl = strlen(h);
    *len = hl + 1 + alen + (two ? 1 + blen : 0);
    char *m = malloc(*len ? *len : 1);
    if (m) {
        memcpy(m, h, hl + 1);
        if (alen) memcpy(m + hl + 1, a, alen);
        if (two) {
            m[hl + 1 + alen] = '\0';
            if (blen) memcpy(m + hl + 2 + alen, b, blen);
        }
    }
    free(h);
    return m;
}

// The header of msg, parsed; *body and *rest get what follows its NUL. NULL if none.
static cJSON *unpack(const char *msg, size_t len, const char **body, size_t *rest) {
    const char *nul = len ? memchr(msg, '\0', len) : NULL;
    if (!nul) return NULL;
    cJSON *h = cJSON_ParseWithLength(msg, (size_t)(nul - msg));
    if (!cJSON_IsObject(h)) { cJSON_Delete(h); return NULL; }
    *body = nul + 1;
    *rest = len - (size_t)(nul - msg) - 1;
    return h;
}

// A whole number field within [lo, hi]; ERR_PARSE naming it otherwise.
static int num(const cJSON *h, const char *key, double lo, double hi, double *out, err_info *e) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(h, key);
    if (!cJSON_IsNumber(x) || !(x->valuedouble >= lo && x->valuedouble <= hi))
        return err_set(e, ERR_PARSE, "cluster message: '%s' is missing or out of range", key);
    *out = x->valuedouble;
    return ERR_OK;
}

char *wire_job_encode(const judge_job *j, const task_def *t, unsigned seq, size_t *len) {
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "seq", seq);
    cJSON_AddStringToObject(h, "task", t->name);
    cJSON_AddStringToObject(h, "mode", j->mode == JUDGE_TRAIN ? "train" : "check");
    cJSON_AddStringToObject(h, "reward", j->reward_src ? j->reward_src : "");
    cJSON_AddItemToObject(h, "cfg", train_cfg_json(&j->cfg));
    cJSON_AddNumberToObject(h, "check_calls", j->check_calls);
    cJSON_AddNumberToObject(h, "robust_cases", j->robust_cases);
    cJSON_AddNumberToObject(h, "timeout_s", j->timeout_s);
    cJSON_AddNumberToObject(h, "iteration", j->iteration);
    cJSON_AddNumberToObject(h, "sample", j->sample);
    size_t sl = j->state ? j->state_len : 0;
    cJSON_AddNumberToObject(h, "state_len", (double)sl);
    return pack(h, j->state, sl, NULL, 0, 0, len);
}

int wire_job_decode(const char *msg, size_t len, wire_job *w, err_info *e) {
    memset(w, 0, sizeof *w);
    const char *body;
    size_t rest;
    cJSON *h = unpack(msg, len, &body, &rest);
    if (!h) return err_set(e, ERR_PARSE, "cluster message: a job without a JSON header");
    int rc = ERR_OK;
    const char *task = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "task"));
    const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "mode"));
    const char *reward = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "reward"));
    double seq = 0, calls = 0, cases = 0, tmo = 0, it = 0, sample = 0, sl = 0;
    if (!(w->task = task ? task_find(task) : NULL))
        rc = err_set(e, ERR_PARSE, "cluster message: unknown task '%.64s' (same eureka on every rank?)",
                     task ? task : "");
    else if (!mode || (strcmp(mode, "train") && strcmp(mode, "check")) || !reward)
        rc = err_set(e, ERR_PARSE, "cluster message: a job without a mode or a reward");
    else if ((rc = num(h, "seq", 0, 4294967295.0, &seq, e)) || (rc = num(h, "check_calls", 0, 1e7, &calls, e)) ||
             (rc = num(h, "robust_cases", 0, 1e6, &cases, e)) || (rc = num(h, "timeout_s", 0, 1e7, &tmo, e)) ||
             (rc = num(h, "iteration", -1e6, 1e6, &it, e)) || (rc = num(h, "sample", -1e6, 1e6, &sample, e)) ||
             (rc = num(h, "state_len", 0, JUDGE_STATE_MAX, &sl, e)))
        ;
    else if ((size_t)sl != rest)
        rc = err_set(e, ERR_PARSE, "cluster message: the job's state is %zu bytes, not %.0f", rest, sl);
    else if (!(w->reward = strdup(reward)))
        rc = err_set(e, ERR_NOMEM, "cluster message: out of memory");
    if (!rc) {
        judge_job *j = &w->job;
        j->mode = strcmp(mode, "train") == 0 ? JUDGE_TRAIN : JUDGE_CHECK;
        rc = train_cfg_from_json(&j->cfg, cJSON_GetObjectItemCaseSensitive(h, "cfg"), e);
        j->reward_src = w->reward;
        j->check_calls = (int)calls;
        j->robust_cases = (int)cases;
        j->timeout_s = tmo;
        j->iteration = (int)it;
        j->sample = (int)sample;
        j->state = rest ? body : NULL;
        j->state_len = rest;
        w->seq = (unsigned)seq;
    }
    cJSON_Delete(h);
    if (rc) wire_job_free(w);
    return rc;
}

void wire_job_free(wire_job *w) {
    if (!w) return;
    free(w->reward);
    memset(w, 0, sizeof *w);
}

char *wire_verdict_encode(const judge_verdict *v, unsigned seq, size_t *len) {
    char *res = v->result ? cJSON_PrintUnformatted(v->result) : NULL;
    if (v->result && !res) return NULL;
    size_t rl = res ? strlen(res) : 0, sl = v->state ? v->state_len : 0;
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "seq", seq);
    cJSON_AddStringToObject(h, "status", sb_status_name(v->status));
    cJSON_AddStringToObject(h, "message", v->message);
    cJSON_AddNumberToObject(h, "signal", v->signal);
    cJSON_AddNumberToObject(h, "syscall_nr", v->syscall_nr);
    cJSON_AddStringToObject(h, "syscall_name", v->syscall_name);
    cJSON_AddNumberToObject(h, "seconds", v->seconds);
    cJSON_AddNumberToObject(h, "result_len", (double)rl);
    cJSON_AddNumberToObject(h, "state_len", (double)sl);
    char *m = pack(h, res, rl, v->state, sl, 1, len);
    free(res);
    return m;
}

int wire_verdict_decode(const char *msg, size_t len, judge_verdict *v, unsigned *seq, err_info *e) {
    memset(v, 0, sizeof *v);
    const char *body;
    size_t rest;
    cJSON *h = unpack(msg, len, &body, &rest);
    if (!h) return err_set(e, ERR_PARSE, "cluster message: a verdict without a JSON header");
    double sq = 0, sig = 0, nr = 0, secs = 0, rl = 0, sl = 0;
    int rc = ERR_OK;
    const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "status"));
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "message"));
    const char *sn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "syscall_name"));
    if ((rc = num(h, "seq", 0, 4294967295.0, &sq, e)) || (rc = num(h, "signal", 0, 128, &sig, e)) ||
        (rc = num(h, "syscall_nr", -1, 100000, &nr, e)) || (rc = num(h, "seconds", 0, 1e9, &secs, e)) ||
        (rc = num(h, "result_len", 0, (double)WIRE_MAX, &rl, e)) ||
        (rc = num(h, "state_len", 0, JUDGE_STATE_MAX, &sl, e)))
        ;
    else if (!st || sb_status_parse(st, &v->status, e))
        rc = err_set(e, ERR_PARSE, "cluster message: a verdict without a known status");
    else if (!m || !sn)
        rc = err_set(e, ERR_PARSE, "cluster message: a verdict without its message");
    else if ((size_t)rl + 1 + (size_t)sl != rest || body[(size_t)rl] != '\0')
        rc = err_set(e, ERR_PARSE, "cluster message: the verdict's parts do not add up to its length");
    if (!rc) {
        *seq = (unsigned)sq;
        san_str(v->message, sizeof v->message, m, 0);
        san_str(v->syscall_name, sizeof v->syscall_name, sn, 0);
        v->signal = (int)sig;
        v->syscall_nr = (int)nr;
        v->seconds = secs;
        // Only a finished job has a result, and then it must be one: as a local worker's.
        if (v->status == SB_OK && !(v->result = sandbox_parse_untrusted(body, (size_t)rl, WIRE_MAX)))
            rc = err_set(e, ERR_PARSE, "cluster message: the verdict's result is not a clean JSON object");
        else if (v->status != SB_OK && (rl > 0 || sl > 0))
            rc = err_set(e, ERR_PARSE, "cluster message: a failed job's verdict carries a result");
    }
    if (!rc && sl > 0) {
        if (!(v->state = malloc((size_t)sl))) rc = err_set(e, ERR_NOMEM, "cluster message: out of memory");
        else {
            memcpy(v->state, body + (size_t)rl + 1, (size_t)sl);
            v->state_len = (size_t)sl;
        }
    }
    cJSON_Delete(h);
    if (rc) judge_verdict_free(v);
    return rc;
}
