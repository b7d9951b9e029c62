// llm_replay.c: llm.jsonl, the record of every exchange with a model, and answering
// from it (`--llm replay:FILE`, `search --resume`).
//
// One JSON object per line: key (SHA-256 of the request, see llm_request_key), backend,
// model, time, the request (messages, temperature, k; never the API key) and the
// replies with finish reason and token usage. The Nth identical request is answered by
// the Nth line with its key, so a run that asks the same thing twice replays exactly.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "util/fs.h"
#include "llm/llm_backend.h"

typedef struct rec_entry {
    char key[65];
    char *model;
    llm_reply *replies;
    int n;
    int used;
} rec_entry;

struct llm_record {
    char *path;
    rec_entry *e;
    int n;
};

const char *llm_record_path(const llm_record *r) { return r->path; }

const char *llm_record_model(const llm_record *r) { return r->n > 0 ? r->e[0].model : NULL; }

void llm_record_free(llm_record *r) {
    if (!r) return;
    for (int i = 0; i < r->n; i++) {
        free(r->e[i].model);
        llm_replies_free(r->e[i].replies, r->e[i].n);
    }
    free(r->e);
    free(r->path);
    free(r);
}

// Parse one line into en; ERR_PARSE with a reason otherwise.
static int parse_entry(const char *line, rec_entry *en, err_info *e) {
    cJSON *j = cJSON_Parse(line);
    if (!j) return err_set(e, ERR_PARSE, "not JSON");
    int rc = ERR_OK;
    const cJSON *key = cJSON_GetObjectItemCaseSensitive(j, "key");
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model");
    const cJSON *replies = cJSON_GetObjectItemCaseSensitive(j, "replies");
    if (!cJSON_IsString(key) || strlen(key->valuestring) != 64 || !cJSON_IsArray(replies)) {
        rc = err_set(e, ERR_PARSE, "no \"key\" or \"replies\"");
        goto done;
    }
    memcpy(en->key, key->valuestring, 65);
    en->model = cJSON_IsString(model) ? strdup(model->valuestring) : NULL;
    int n = cJSON_GetArraySize(replies);
    en->replies = calloc(n > 0 ? (size_t)n : 1, sizeof *en->replies);
    if (!en->replies) { rc = err_set(e, ERR_NOMEM, "out of memory"); goto done; }
    const cJSON *it;
    cJSON_ArrayForEach(it, replies) {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(it, "text");
        const cJSON *fin = cJSON_GetObjectItemCaseSensitive(it, "finish");
        if (!cJSON_IsString(text)) { rc = err_set(e, ERR_PARSE, "a reply has no \"text\""); goto done; }
        if (strlen(text->valuestring) > LLM_MAX_REPLY_TEXT) {
            rc = err_set(e, ERR_LIMIT, "a reply longer than the %d-byte cap on one reply", LLM_MAX_REPLY_TEXT);
            goto done;
        }
        llm_reply *r = &en->replies[en->n];
        r->text = strdup(text->valuestring);
        if (!r->text) { rc = err_set(e, ERR_NOMEM, "out of memory"); goto done; }
        en->n++;
        snprintf(r->finish, sizeof r->finish, "%s", cJSON_IsString(fin) ? fin->valuestring : "");
        r->truncated = llm_token_count(cJSON_GetObjectItemCaseSensitive(it, "truncated")) != 0 ||
                       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "truncated"));
        r->prompt_tokens = llm_token_count(cJSON_GetObjectItemCaseSensitive(it, "prompt_tokens"));
        r->completion_tokens = llm_token_count(cJSON_GetObjectItemCaseSensitive(it, "completion_tokens"));
    }
done:
    cJSON_Delete(j);
    return rc;
}

llm_record *llm_record_load(const char *path, int in_run, err_info *e) {
    // A run's own llm.jsonl is opened below its directory without following a link; a
    // file the user names is opened as named. Either way: read line by line, capped.
    char dir[FS_PATH_MAX];
    const char *leaf = path, *slash = strrchr(path, '/');
    if (in_run) {
        if (!slash) snprintf(dir, sizeof dir, ".");
        else if (fs_path(dir, sizeof dir, e, "%.*s", (int)(slash - path), path)) return NULL;
        if (slash) leaf = slash + 1;
    }
    fs_lines *lines = fs_lines_open(in_run ? dir : NULL, leaf, LLM_MAX_RECORD_LINE,
                                    LLM_MAX_RECORD_FILE, e);
    if (!lines) return NULL;
    llm_record *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        fs_lines_close(lines);
        free(r);
        err_set(e, ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    int cap = 0, got;
    char *line;
    size_t len;
    err_info pe = {0};          // why a line failed: fatal unless it was the last one
    int have_bad = 0, bad_line = 0;
    while ((got = fs_lines_next(lines, &line, &len, e)) > 0) {
        while (*line == ' ' || *line == '\t' || *line == '\r') line++;
        if (!*line) continue;
        if (have_bad) goto bad;     // a bad line followed by more lines: not a torn end
        if (r->n == cap) {
            cap = cap ? cap * 2 : 64;
            rec_entry *ne = realloc(r->e, (size_t)cap * sizeof *ne);
            if (!ne) { err_set(e, ERR_NOMEM, "%s: out of memory", path); goto fail; }
            r->e = ne;
        }
        rec_entry *en = &r->e[r->n];
        memset(en, 0, sizeof *en);
        if (parse_entry(line, en, &pe)) {
            free(en->model);
            llm_replies_free(en->replies, en->n);
            if (pe.code != ERR_PARSE) goto bad;
            // A run killed mid-write can leave a torn last line: the rest is still good.
            have_bad = 1;
            bad_line = fs_lines_lineno(lines);
            continue;
        }
        r->n++;
    }
    if (got < 0) goto fail;
    fs_lines_close(lines);
    return r;
bad:
    err_set(e, pe.code, "%s:%d: %s%s", path, bad_line ? bad_line : fs_lines_lineno(lines), pe.msg,
            pe.code == ERR_PARSE ? ": the file is not an eureka llm.jsonl" : "");
fail:
    fs_lines_close(lines);
    llm_record_free(r);
    return NULL;
}

int llm_record_take(llm_record *r, const char *key, int k, llm_reply **out, int *n_out,
                    err_info *e) {
    for (int i = 0; i < r->n; i++) {
        rec_entry *en = &r->e[i];
        if (en->used || strcmp(en->key, key) != 0) continue;
        int n = en->n < k ? en->n : k;
        llm_reply *rep = calloc(n > 0 ? (size_t)n : 1, sizeof *rep);
        if (!rep) return err_set(e, ERR_NOMEM, "out of memory");
        for (int j = 0; j < n; j++) {
            rep[j] = en->replies[j];
            rep[j].text = strdup(en->replies[j].text);
            if (!rep[j].text) {
                llm_replies_free(rep, j);
                return err_set(e, ERR_NOMEM, "out of memory");
            }
        }
        en->used = 1;
        *out = rep;
        *n_out = n;
        return ERR_OK;
    }
    return err_set(e, ERR_NOTFOUND, "%s has no answer for key %.12s", r->path, key);
}

int llm_record_append(const char *path, const char *key, const char *backend,
                      const char *model, const llm_msg *msgs, int n_msgs, double temperature,
                      int k, const llm_reply *r, int n, err_info *e) {
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    long pt = 0, ct = 0;
    for (int i = 0; i < n; i++) { pt += r[i].prompt_tokens; ct += r[i].completion_tokens; }

    cJSON *j = cJSON_CreateObject(), *req, *arr, *u;
    if (!j) return err_set(e, ERR_NOMEM, "out of memory");
    cJSON_AddStringToObject(j, "key", key);
    cJSON_AddStringToObject(j, "backend", backend);
    cJSON_AddStringToObject(j, "model", model);
    cJSON_AddStringToObject(j, "time", ts);
    cJSON_AddItemToObject(j, "request", req = cJSON_CreateObject());
    cJSON_AddItemToObject(req, "messages", llm_messages_json(msgs, n_msgs));
    cJSON_AddNumberToObject(req, "temperature", temperature);
    cJSON_AddNumberToObject(req, "k", k);
    cJSON_AddItemToObject(j, "replies", arr = cJSON_CreateArray());
    for (int i = 0; i < n; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "text", r[i].text);
        cJSON_AddStringToObject(m, "finish", r[i].finish);
        cJSON_AddNumberToObject(m, "truncated", r[i].truncated);
        cJSON_AddNumberToObject(m, "prompt_tokens", (double)r[i].prompt_tokens);
        cJSON_AddNumberToObject(m, "completion_tokens", (double)r[i].completion_tokens);
        cJSON_AddItemToArray(arr, m);
    }
    cJSON_AddItemToObject(j, "usage", u = cJSON_CreateObject());
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)pt);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)ct);
    char *line = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!line) return err_set(e, ERR_NOMEM, "out of memory recording to %s", path);
    int rc = fs_append_line(path, line, e);
    free(line);
    if (rc) err_wrap(e, "recording the LLM exchange");
    return rc;
}
