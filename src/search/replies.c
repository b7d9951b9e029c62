// replies.c: a request's replies as the run keeps them, and their repeats replaced
// (replies.h).
#include "search/replies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward/extract.h"
#include "search/run.h"
#include "util/buf.h"

#define NAME_LEN 32

cJSON *replies_item(const llm_reply *r) {
    cJSON *x = cJSON_CreateObject();
    if (!x) return NULL;
    cJSON_AddStringToObject(x, "text", r->text ? r->text : "");
    cJSON_AddStringToObject(x, "finish", r->finish);
    cJSON_AddBoolToObject(x, "truncated", r->truncated);
    cJSON_AddNumberToObject(x, "prompt_tokens", (double)r->prompt_tokens);
    cJSON_AddNumberToObject(x, "completion_tokens", (double)r->completion_tokens);
    return x;
}

// The replies among the first k that repeat a candidate of the run or an earlier reply
// (as repeats.h compares them): their indices in idx and what each repeats in same. The
// count, or -1 (out of memory).
static int find_repeats(const replies_ctx *c, const cJSON *arr, int *idx, char (*same)[NAME_LEN]) {
    repeats *mine = repeats_new();     // this request's replies, as candidates to be
    int n = mine ? 0 : -1;
    for (int i = 0; n >= 0 && i < c->k; i++) {
        const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "text"));
        char *code = t ? extract_code(t, NULL) : NULL;     // no code: nothing to repeat
        if (repeats_add(mine, c->iteration, c->base + i, code)) n = -1;
        else if (code && (repeats_find(c->seen, mine, c->iteration, c->base + i, same[n], NAME_LEN) ||
                          repeats_of(mine, c->iteration, c->base + i, same[n], NAME_LEN)))
            idx[n++] = i;
        free(code);
    }
    repeats_free(mine);
    return n;
}

// The note that asks for the replacements: what the repeats repeated.
static char *round_note(char (*same)[NAME_LEN], int n) {
    buf b;
    buf_init(&b, 1 << 16);
    buf_printf(&b, "%d of your answers repeated reward functions this search has already trained (", n);
    for (int i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ", " : "", same[i]);
    buf_printf(&b, "). Write %d new reward function%s, each different from those, in the same format.",
               n, n > 1 ? "s" : "");
    if (b.failed) { buf_free(&b); return NULL; }
    return buf_take(&b);
}

// The messages m with note after the last one, into mm: the new last text (the caller
// frees it), NULL when out of memory.
static char *with_note(const llm_msg *m, int nm, const char *note, llm_msg *mm) {
    size_t a = strlen(m[nm - 1].content), b = strlen(note);
    char *s = malloc(a + b + 3);
    if (!s) return NULL;
    snprintf(s, a + b + 3, "%s\n\n%s", m[nm - 1].content, note);
    memcpy(mm, m, (size_t)nm * sizeof *m);
    mm[nm - 1].content = s;
    return s;
}

static void event(const replies_ctx *c, const char *type, cJSON *fields) {
    if (c->on_event) c->on_event(c->ctx, type, fields);
    else cJSON_Delete(fields);
}

// Ask one round: replace the n repeats idx[] in arr, record the round in rounds.
// ERR_OK also when the request failed (the repeats stay; a "repeats_kept" event says why).
static int ask_round(const replies_ctx *c, const llm_msg *m, int nm, cJSON *arr, cJSON *rounds,
                     const int *idx, char (*same)[NAME_LEN], int n, err_info *e) {
    char *note = round_note(same, n);
    llm_msg mm[8];
    char *last = note ? with_note(m, nm, note, mm) : NULL;
    if (!last) {
        free(note);
        return err_set(e, ERR_NOMEM, "%s/%s: out of memory", c->dir, c->rel);
    }
    llm_reply *r = NULL;
    int got = 0;
    err_info le = {0};
    int rc = llm_sample(c->llm, mm, nm, n, &r, &got, &le);
    free(last);
    if (rc) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "iteration", c->iteration);
        cJSON_AddNumberToObject(x, "repeats", n);
        cJSON_AddStringToObject(x, "message", le.msg);
        event(c, "repeats_kept", x);
        free(note);
        return ERR_OK;
    }
    cJSON *round = cJSON_CreateObject();
    cJSON_AddItemToArray(rounds, round);
    cJSON_AddStringToObject(round, "note", note);
    free(note);
    cJSON *samples = cJSON_AddArrayToObject(round, "samples");
    cJSON *replaced = cJSON_AddArrayToObject(round, "replaced");
    cJSON *sames = cJSON_CreateArray();
    for (int j = 0; j < got; j++) {
        cJSON *old = cJSON_Duplicate(cJSON_GetArrayItem(arr, idx[j]), 1);
        cJSON *now = replies_item(&r[j]);
        if (!old || !now) { cJSON_Delete(old); cJSON_Delete(now); rc = ERR_NOMEM; break; }
        cJSON_AddStringToObject(old, "same_as", same[j]);
        cJSON_AddItemToArray(replaced, old);
        cJSON_ReplaceItemInArray(arr, idx[j], now);
        cJSON_AddItemToArray(samples, cJSON_CreateNumber(c->base + idx[j]));
        cJSON_AddItemToArray(sames, cJSON_CreateString(same[j]));
    }
    llm_replies_free(r, got);
    if (rc) {
        cJSON_Delete(sames);
        return err_set(e, ERR_NOMEM, "%s/%s: out of memory", c->dir, c->rel);
    }
    cJSON *x = cJSON_CreateObject();
    cJSON_AddNumberToObject(x, "iteration", c->iteration);
    cJSON_AddNumberToObject(x, "round", cJSON_GetArraySize(rounds));
    cJSON_AddItemToObject(x, "samples", cJSON_Duplicate(samples, 1));
    cJSON_AddItemToObject(x, "same_as", sames);
    event(c, "repeats_replaced", x);
    return ERR_OK;
}

int replies_refresh(const replies_ctx *c, const llm_msg *m, int nm, cJSON *saved, err_info *e) {
    if (nm < 1 || nm > 8) return err_set(e, ERR_INTERNAL, "replies_refresh: %d messages", nm);
    cJSON *arr = cJSON_GetObjectItem(saved, "replies");
    cJSON *rounds = cJSON_GetObjectItem(saved, "replacements");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < c->k) return ERR_OK;   // a short answer: nothing to match up
    if (rounds && !cJSON_IsArray(rounds))
        return err_set(e, ERR_PARSE, "%s/%s: \"replacements\" is not a list (the file was edited); "
                       "delete the key to ask again", c->dir, c->rel);
    // Rounds an earlier run asked are answered: a recorded conversation stays in step.
    int done = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, rounds) {
        const char *note = cJSON_GetStringValue(cJSON_GetObjectItem(x, "note"));
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(x, "replaced"));
        llm_msg mm[8];
        char *last = note && n > 0 ? with_note(m, nm, note, mm) : NULL;
        if (last) llm_answered_elsewhere(c->llm, mm, nm, n);
        free(last);
        done++;
    }
    int *idx = calloc((size_t)c->k + 1, sizeof *idx);
    char (*same)[NAME_LEN] = calloc((size_t)c->k + 1, sizeof *same);
    int rc = idx && same ? ERR_OK : err_set(e, ERR_NOMEM, "%s/%s: out of memory", c->dir, c->rel);
    for (; !rc && done < REPLIES_ROUNDS; done++) {
        int n = find_repeats(c, arr, idx, same);
        if (n < 0) rc = err_set(e, ERR_NOMEM, "%s/%s: out of memory", c->dir, c->rel);
        if (n <= 0) break;
        if (!rounds && !(rounds = cJSON_AddArrayToObject(saved, "replacements"))) {
            rc = err_set(e, ERR_NOMEM, "%s/%s: out of memory", c->dir, c->rel);
            break;
        }
        int before = cJSON_GetArraySize(rounds);
        rc = ask_round(c, m, nm, arr, rounds, idx, same, n, e);
        if (rc || cJSON_GetArraySize(rounds) == before) break;     // failed: the repeats stay
        rc = run_write_json(c->dir, c->rel, saved, e);
    }
    free(idx);
    free(same);
    return rc;
}
