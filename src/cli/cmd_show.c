// cmd_show.c: `eureka show RUN [--json]`: what happened in a search run, per iteration
// and sample (status, how far it went in the judge's tournament, EUREKA's fitness, the
// robust statistic with its interval, components, error), the best so far as the search
// picks it (run_iteration_best, then the robust statistic, then the re-check of the
// iteration bests on a fresh seed) and tokens used.
// Reads only the run directory (run.h), so it works on killed and finished runs alike.
// A candidate that trained an earlier one's reward again is marked (search/repeats.h).
// A run may be someone else's: every string from it is sanitised before it is shown.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "llm/llm.h"
#include "search/finalists.h"
#include "search/repeats.h"
#include "search/run.h"
#include "util/sanitize.h"

#define JSTR_MAX 256

// A string field made safe to print (into buf), or dflt.
static const char *jstr(const cJSON *o, const char *k, const char *dflt, char buf[JSTR_MAX]) {
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(o, k));
    return san_str(buf, JSTR_MAX, s ? s : dflt, 0);
}

static double num(const cJSON *x, double dflt) {
    return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

static double jnum(const cJSON *o, const char *k, double dflt) {
    return num(cJSON_GetObjectItem(o, k), dflt);
}

// The components of a train.json with their last per-update mean: as text for the table
// ("a=0.31 b=-0.02") and as [{"name", "last"}] for --json.
static void components(const cJSON *train, char *buf, size_t n, cJSON *arr) {
    buf[0] = '\0';
    size_t used = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(train, "components")) {
        int k = cJSON_GetArraySize(c);
        const cJSON *last = k > 0 ? cJSON_GetArrayItem(c, k - 1) : NULL;
        double v = cJSON_IsNumber(last) ? last->valuedouble : 0.0;
        char name[64];
        san_str(name, sizeof name, c->string, 0);
        if (used < n) used += (size_t)snprintf(buf + used, n - used, "%s%s=%.3g", used ? " " : "", name, v);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddNumberToObject(o, "last", v);
        cJSON_AddItemToArray(arr, o);
    }
}

// The re-check before the final evaluation (final/iterII_sampleSS/train.json): iteration
// bests trained again on a fresh seed. With two or more, the best is the one the
// search's rule picks (finalists.h: the highest mean of the two judged values).
static void recheck(const char *dir, const finalist *w, int n, int json, cJSON *out, int *best_it,
                    int *best_s, double *best_f) {
    finalist f[RUN_MAX_ITER];
    int k = 0;
    for (int i = 0; i < n; i++) {
        char rel[128];
        if (run_final_rel(rel, sizeof rel, w[i].iteration, w[i].sample, RUN_TRAIN, NULL) || !run_has(dir, rel))
            continue;
        cJSON *tr = run_read_json(dir, rel, NULL);
        double again = jnum(tr, "fitness_robust", NAN);
        cJSON_Delete(tr);
        if (isfinite(again)) { f[k] = w[i]; f[k++].again = again; }
    }
    // One re-check alone decides nothing (a search stopped inside it): the best stays.
    if (k < 2) return;
    int order[FINALISTS_MAX];
    int m = finalists_choose(f, k, FINALISTS_MAX, order);
    cJSON *arr = cJSON_AddArrayToObject(out, "finalists");
    if (!json) printf("\nre-check of the iteration bests on a fresh seed (final/):\n");
    for (int i = 0; i < m; i++) {
        const finalist *x = &f[order[i]];
        char name[32];
        run_sample_rel(name, sizeof name, x->iteration, x->sample, NULL, NULL);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "candidate", name);
        cJSON_AddNumberToObject(o, "judged", x->judged);
        cJSON_AddNumberToObject(o, "again", x->again);
        cJSON_AddNumberToObject(o, "mean", finalists_mean(x));
        cJSON_AddItemToArray(arr, o);
        if (!json)
            printf("  %-16s judged %.3f, again %.3f, mean %.3f\n", name, x->judged, x->again, finalists_mean(x));
    }
    const finalist *p = &f[finalists_pick(f, order, m)];
    *best_it = p->iteration;
    *best_s = p->sample;
    *best_f = p->judged;
}

int cmd_show(int argc, char **argv) {
    int json = 0, help = 0, n_pos = 0;
    const char *pos[1];
    cli_flag flags[] = {{"--json", CLI_BOOL, &json, "print the table as JSON", 0, 0}};
    err_info e = {0};
    if (cli_parse(argc, argv, flags, 1, pos, 1, &n_pos, &help, &e)) return cli_fail("show", &e);
    if (help) { cli_usage("show", "RUN [--json]", flags, 1); return 0; }
    if (n_pos != 1) {
        err_set(&e, ERR_USAGE, "give the run directory (eureka show runs/<stamp>-<task>)");
        return cli_fail("show", &e);
    }
    char dir[RUN_PATH_MAX];
    if (cli_run(pos[0], dir, sizeof dir, &e)) return cli_fail("show", &e);
    cJSON *run = run_read_json(dir, RUN_SETTINGS, &e);
    if (!run) return cli_fail("show", &e);
    cJSON *summary = run_has(dir, RUN_SUMMARY) ? run_read_json(dir, RUN_SUMMARY, NULL) : NULL;
    char sdir[512], task[JSTR_MAX], backend[JSTR_MAX], model[JSTR_MAX];
    san_str(sdir, sizeof sdir, dir, 0);
    cJSON *llm = cJSON_GetObjectItem(run, "llm");
    jstr(run, "task", "?", task);
    jstr(llm, "resolved_backend", "?", backend);
    jstr(llm, "resolved_model", "?", model);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "run", sdir);
    cJSON_AddStringToObject(out, "task", task);
    cJSON_AddStringToObject(out, "backend", backend);
    cJSON_AddStringToObject(out, "model", model);
    cJSON *set = cJSON_AddObjectToObject(out, "settings");
    const char *keys[] = {"samples", "iterations", "train_steps", "seed"};
    for (int k = 0; k < 4; k++) cJSON_AddNumberToObject(set, keys[k], jnum(run, keys[k], 0));
    cJSON *iters = cJSON_AddArrayToObject(out, "iterations");
    int n_it = run_count_iters(dir);
    int best_it = 0, best_s = 0, n_wins = 0;
    double best_f = 0;
    finalist wins[RUN_MAX_ITER];
    repeats *rep = repeats_scan(dir);     // NULL (out of memory): no repeat is marked
    if (!json)
        printf("run %s: task %s, LLM %s (%s), K=%.0f, N=%.0f, %.0f steps per candidate, seed %.0f\n\n",
               sdir, task, backend, model, jnum(run, "samples", 0), jnum(run, "iterations", 0),
               jnum(run, "train_steps", 0), jnum(run, "seed", 0));
    if (!json)
        printf("%-16s %-18s %4s %9s %8s %8s %-15s %7s  %s\n", "candidate", "status", "rung", "steps", "fitness",
               "robust", "interval", "graded", "components / error");
    char rel[128];
    run_iter_rel(rel, sizeof rel, 0, NULL);
    int first = run_has(dir, rel) ? 0 : 1;
    for (int it = first; it <= n_it; it++) {
        cJSON *ij = cJSON_CreateObject();
        cJSON_AddNumberToObject(ij, "iteration", it);
        cJSON *samples = cJSON_AddArrayToObject(ij, "samples");
        int n_s = run_count_samples(dir, it);
        for (int s = 0; s < n_s; s++) {
            char name[32];
            run_sample_rel(name, sizeof name, it, s, NULL, NULL);
            cJSON *sj = cJSON_CreateObject();
            cJSON_AddStringToObject(sj, "candidate", name);
            char same_as[32];
            const char *same = repeats_of(rep, it, s, same_as, sizeof same_as) ? same_as : NULL;
            if (same) cJSON_AddStringToObject(sj, "same_code_as", same);
            run_sample_rel(rel, sizeof rel, it, s, RUN_STATUS, NULL);
            run_status st;
            err_info se = {0};
            int have = run_has(dir, rel);
            // A status.json that cannot be trusted is shown as such, with the reason.
            int bad = have && run_read_status(dir, it, s, &st, &se) != ERR_OK;
            const char *status = !have ? "unfinished" : bad ? "unreadable" : st.status;
            cJSON_AddStringToObject(sj, "status", status);
            char detail[1024] = "";
            char fit[32] = "-", rob[32] = "-", ci[48] = "-", steps[32] = "-", rung[16] = "-", graded[32] = "-";
            if (have && !bad && st.ok) {
                snprintf(fit, sizeof fit, "%.3f", st.fitness);
                cJSON_AddNumberToObject(sj, "fitness", st.fitness);
                if (st.rung > 0) {
                    snprintf(rung, sizeof rung, "%d", st.rung);
                    cJSON_AddNumberToObject(sj, "rung", st.rung);
                }
                if (!isnan(st.robust)) {
                    snprintf(rob, sizeof rob, "%.3f", st.robust);
                    cJSON_AddNumberToObject(sj, "fitness_robust", st.robust);
                }
                run_sample_rel(rel, sizeof rel, it, s, RUN_TRAIN, NULL);
                cJSON *tr = run_read_json(dir, rel, NULL);
                components(tr, detail, sizeof detail, cJSON_AddArrayToObject(sj, "components"));
                double trained = jnum(tr, "steps", NAN);
                if (isfinite(trained) && trained >= 0) {
                    snprintf(steps, sizeof steps, "%.0f", trained);
                    cJSON_AddNumberToObject(sj, "steps", trained);
                }
                const cJSON *civ = cJSON_GetObjectItem(tr, "fitness_ci");
                double lo = num(cJSON_GetArrayItem(civ, 0), NAN), hi = num(cJSON_GetArrayItem(civ, 1), NAN);
                if (cJSON_GetArraySize(civ) == 2 && isfinite(lo) && isfinite(hi)) {
                    snprintf(ci, sizeof ci, "[%.3f, %.3f]", lo, hi);
                    cJSON *a = cJSON_AddArrayToObject(sj, "fitness_ci");
                    cJSON_AddItemToArray(a, cJSON_CreateNumber(lo));
                    cJSON_AddItemToArray(a, cJSON_CreateNumber(hi));
                }
                double g = jnum(tr, "fitness_graded", NAN);   // what a first rung ranks on (--first-cut graded)
                if (isfinite(g)) {
                    snprintf(graded, sizeof graded, "%.3f", g);
                    cJSON_AddNumberToObject(sj, "fitness_graded", g);
                }
                cJSON_Delete(tr);
            } else if (have) {
                san_str(detail, sizeof detail, bad ? se.msg : st.message, 0);
                cJSON_AddStringToObject(sj, "error", detail);
            }
            cJSON_AddItemToArray(samples, sj);
            if (!json)
                printf("%-16s %-18s %4s %9s %8s %8s %-15s %7s  %s%s%s%s\n", name, status, rung, steps, fit, rob, ci,
                       graded, same ? "(same code as " : "", same ? same : "", same ? ") " : "", detail);
        }
        // The search's pick: the iteration's best (furthest rung, then robust), and it
        // replaces the best so far only with a higher robust statistic.
        int ib = it >= 1 ? run_iteration_best(dir, it) : -1;
        run_status bs;
        if (ib >= 0 && run_read_status(dir, it, ib, &bs, NULL) == ERR_OK) {
            double f = isnan(bs.robust) ? bs.fitness : bs.robust;
            char b[32];
            run_sample_rel(b, sizeof b, it, ib, NULL, NULL);
            cJSON_AddStringToObject(ij, "best", b);
            if (best_it == 0 || f > best_f) { best_it = it; best_s = ib; best_f = f; }
            // With its code, so identical winners count once, as in the search.
            if (n_wins < RUN_MAX_ITER)
                wins[n_wins++] = (finalist){.iteration = it, .sample = ib, .judged = f,
                                            .code = (char *)repeats_code(rep, it, ib)};
        }
        if (best_it > 0) {
            char b[32];
            run_sample_rel(b, sizeof b, best_it, best_s, NULL, NULL);
            cJSON_AddStringToObject(ij, "best_so_far", b);
            cJSON_AddNumberToObject(ij, "best_so_far_fitness", best_f);
            if (!json && it >= 1) printf("  best so far: %s, robust fitness %.3f\n", b, best_f);
        }
        cJSON_AddItemToArray(iters, ij);
    }
    recheck(dir, wins, n_wins, json, out, &best_it, &best_s, &best_f);
    repeats_free(rep);
    long pt = 0, ct = 0;
    if (summary) {
        pt = llm_token_clamp(jnum(summary, "prompt_tokens", 0));
        ct = llm_token_clamp(jnum(summary, "completion_tokens", 0));
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
    if (best_it > 0) {
        char b[32], path[RUN_PATH_MAX + 16];
        run_sample_rel(b, sizeof b, best_it, best_s, NULL, NULL);
        cJSON *bo = cJSON_AddObjectToObject(out, "best");
        cJSON_AddStringToObject(bo, "candidate", b);
        cJSON_AddNumberToObject(bo, "fitness", best_f);
        snprintf(path, sizeof path, "%s/%s", sdir, RUN_BEST_C);
        cJSON_AddStringToObject(bo, "file", path);
    } else {
        cJSON_AddNullToObject(out, "best");
    }
    if (json) {
        cli_json_print(out);
    } else {
        printf("\n");
        if (best_it > 0) {
            char b[32];
            run_sample_rel(b, sizeof b, best_it, best_s, NULL, NULL);
            printf("best: %s (%s/%s), robust fitness %.3f", b, sdir, RUN_BEST_C, best_f);
            if (summary && jnum(summary, "eval_seeds", 0) > 0)
                printf("; evaluation %.3f +- %.3f over %.0f seeds", jnum(summary, "eval_mean", 0),
                       jnum(summary, "eval_std", 0), jnum(summary, "eval_seeds", 0));
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
