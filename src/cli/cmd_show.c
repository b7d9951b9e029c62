// cmd_show.c: `eureka show RUN [--json]`: what happened in a search run, per iteration
// and sample (status, fitness, components, error), the best so far and tokens used.
// Reads only the run directory (run.h), so it works on killed and finished runs alike.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "search/run.h"

static const char *jstr(const cJSON *o, const char *k, const char *dflt) {
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return s ? s : dflt;
}

static double jnum(const cJSON *o, const char *k, double dflt) {
    const cJSON *x = cJSON_GetObjectItem(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

// Component names of a train.json with their last per-update mean: "a=0.31 b=-0.02".
static void components_line(const cJSON *train, char *buf, size_t n) {
    buf[0] = '\0';
    size_t used = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(train, "components")) {
        int k = cJSON_GetArraySize(c);
        const cJSON *last = k > 0 ? cJSON_GetArrayItem(c, k - 1) : NULL;
        if (used < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s=%.3g", used ? " " : "", c->string,
                                     cJSON_IsNumber(last) ? last->valuedouble : 0.0);
    }
}

int cmd_show(int argc, char **argv) {
    int json = 0, help = 0, n_pos = 0;
    const char *pos[1];
    cli_flag flags[] = {{"--json", CLI_BOOL, &json, "print the table as JSON"}};
    err_info e = {0};
    if (cli_parse(argc, argv, flags, 1, pos, 1, &n_pos, &help, &e)) return cli_fail("show", &e);
    if (help) { cli_usage("show", "RUN [--json]", flags, 1); return 0; }
    if (n_pos != 1) {
        err_set(&e, ERR_USAGE, "give the run directory (eureka show runs/<stamp>-<task>)");
        return cli_fail("show", &e);
    }
    const char *dir = pos[0];
    cJSON *run = run_read_json(dir, "run.json", &e);
    if (!run) { err_wrap(&e, "%s is not a search run", dir); return cli_fail("show", &e); }
    cJSON *summary = run_has(dir, "summary.json") ? run_read_json(dir, "summary.json", NULL) : NULL;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "run", dir);
    cJSON_AddStringToObject(out, "task", jstr(run, "task", "?"));
    cJSON *llm = cJSON_GetObjectItem(run, "llm");
    cJSON_AddStringToObject(out, "backend", jstr(llm, "resolved_backend", "?"));
    cJSON_AddStringToObject(out, "model", jstr(llm, "resolved_model", "?"));
    cJSON *iters = cJSON_AddArrayToObject(out, "iterations");
    int n_it = run_count_iters(dir);
    int best_it = 0, best_s = 0;
    double best_f = 0;
    if (!json)
        printf("run %s: task %s, LLM %s (%s), K=%d, N=%d, %.0f steps per candidate, seed %.0f\n\n",
               dir, jstr(run, "task", "?"), jstr(llm, "resolved_backend", "?"),
               jstr(llm, "resolved_model", "?"), (int)jnum(run, "samples", 0),
               (int)jnum(run, "iterations", 0), jnum(run, "train_steps", 0), jnum(run, "seed", 0));
    if (!json) printf("%-16s %-18s %8s  %s\n", "candidate", "status", "fitness", "components / error");
    char rel[128];
    snprintf(rel, sizeof rel, "iter00");
    int first = run_has(dir, rel) ? 0 : 1;
    for (int it = first; it <= n_it; it++) {
        cJSON *ij = cJSON_CreateObject();
        cJSON_AddNumberToObject(ij, "iteration", it);
        cJSON *samples = cJSON_AddArrayToObject(ij, "samples");
        int n_s = run_count_samples(dir, it);
        for (int s = 0; s < n_s; s++) {
            char name[32];
            snprintf(name, sizeof name, "iter%02d/sample%02d", it, s);
            cJSON *sj = cJSON_CreateObject();
            cJSON_AddStringToObject(sj, "candidate", name);
            run_sample_rel(rel, sizeof rel, it, s, "status.json", NULL);
            cJSON *st = run_has(dir, rel) ? run_read_json(dir, rel, NULL) : NULL;
            const char *status = st ? jstr(st, "status", "?") : "unfinished";
            cJSON_AddStringToObject(sj, "status", status);
            char detail[1024] = "";
            char fit[32] = "-";
            if (st && strcmp(status, "ok") == 0) {
                double f = jnum(st, "fitness", 0);
                snprintf(fit, sizeof fit, "%.3f", f);
                cJSON_AddNumberToObject(sj, "fitness", f);
                run_sample_rel(rel, sizeof rel, it, s, "train.json", NULL);
                cJSON *tr = run_read_json(dir, rel, NULL);
                components_line(tr, detail, sizeof detail);
                cJSON *names = cJSON_AddArrayToObject(sj, "components");
                const cJSON *c;
                cJSON_ArrayForEach(c, cJSON_GetObjectItem(tr, "components"))
                    cJSON_AddItemToArray(names, cJSON_CreateString(c->string));
                cJSON_Delete(tr);
                if (it >= 1 && (best_it == 0 || f > best_f)) { best_it = it; best_s = s; best_f = f; }
            } else if (st) {
                snprintf(detail, sizeof detail, "%s", jstr(st, "message", ""));
                cJSON_AddStringToObject(sj, "error", detail);
            }
            cJSON_AddItemToArray(samples, sj);
            if (!json) printf("%-16s %-18s %8s  %s\n", name, status, fit, detail);
            cJSON_Delete(st);
        }
        if (best_it > 0) {
            char b[32];
            snprintf(b, sizeof b, "iter%02d/sample%02d", best_it, best_s);
            cJSON_AddStringToObject(ij, "best_so_far", b);
            cJSON_AddNumberToObject(ij, "best_so_far_fitness", best_f);
            if (!json && it >= 1) printf("  best so far: %s, fitness %.3f\n", b, best_f);
        }
        cJSON_AddItemToArray(iters, ij);
    }
    long pt = 0, ct = 0;
    if (summary) {
        pt = (long)jnum(summary, "prompt_tokens", 0);
        ct = (long)jnum(summary, "completion_tokens", 0);
    } else {
        run_count_tokens(dir, n_it, &pt, &ct);
    }
    cJSON_AddNumberToObject(out, "prompt_tokens", (double)pt);
    cJSON_AddNumberToObject(out, "completion_tokens", (double)ct);
    cJSON_AddBoolToObject(out, "finished", summary != NULL);
    if (summary && jnum(summary, "eval_seeds", 0) > 0) {
        cJSON_AddNumberToObject(out, "eval_mean", jnum(summary, "eval_mean", 0));
        cJSON_AddNumberToObject(out, "eval_std", jnum(summary, "eval_std", 0));
        cJSON_AddNumberToObject(out, "eval_seeds", jnum(summary, "eval_seeds", 0));
    }
    if (json) {
        char *s = cJSON_Print(out);
        printf("%s\n", s);
        free(s);
    } else {
        printf("\n");
        if (best_it > 0) {
            printf("best: iter%02d/sample%02d (%s/best.c), fitness %.3f", best_it, best_s, dir, best_f);
            if (summary && jnum(summary, "eval_seeds", 0) > 0)
                printf("; evaluation %.3f +- %.3f over %d seeds", jnum(summary, "eval_mean", 0),
                       jnum(summary, "eval_std", 0), (int)jnum(summary, "eval_seeds", 0));
            printf("\n");
        } else {
            printf("best: none yet\n");
        }
        printf("tokens: %ld prompt + %ld completion%s\n", pt, ct,
               summary ? "" : "  (run not finished: eureka search --resume DIR)");
    }
    cJSON_Delete(out);
    cJSON_Delete(run);
    cJSON_Delete(summary);
    return 0;
}
