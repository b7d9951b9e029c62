// cmd_search.c: `eureka search`: flags, the progress line (progress.h), videos of each
// iteration's best with --video, the end summary. The loop itself is search.c.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "search/run.h"
#include "search/search.h"
#include "util/fs.h"
#include "util/sanitize.h"
#include "viz/film.h"

typedef struct ui {
    progress *pg;
    const search_cfg *c;
    int iteration, done, planned;   // this iteration's candidates finished / asked for
    int video;                      // --video: render each iteration's best as it is chosen
    halving_plan plan;              // every iteration's tournament (search_plan)
    char dir[RUN_PATH_MAX];         // the run directory (from the start event)
} ui;

// A unit of work is one rung of one candidate; rung 0: a finalist's re-check, or (in
// iteration 0) an evaluation seed.
static int unit_id(int iteration, int sample, int rung) { return (iteration * 100 + sample) * 10 + rung; }

// The steps a rung adds to a candidate's training.
static long rung_steps(const ui *u, int rung) {
    if (rung < 1 || rung > u->plan.n_rungs) return 0;
    return u->plan.steps[rung - 1] - (rung > 1 ? u->plan.steps[rung - 2] : 0);
}

static void ui_progress(void *ctx, const search_progress *p) {
    ui *u = ctx;
    // Within a rung, count the steps since the rung began: the budget planned is the rung's.
    long start = p->rung > 1 && p->rung <= u->plan.n_rungs ? u->plan.steps[p->rung - 2] : 0;
    progress_steps(u->pg, unit_id(p->iteration, p->sample, p->rung), p->steps - start, p->total - start);
}

// An iteration's tournament: keep[r] trainings of each rung's steps.
static void plan_iteration(ui *u) {
    for (int r = 1; r <= u->plan.n_rungs; r++) progress_plan(u->pg, u->plan.keep[r - 1], rung_steps(u, r));
}

static void show_counts(ui *u) {
    if (u->iteration > 0)
        progress_context(u->pg, "iteration %d/%d | candidates %d/%d", u->iteration, u->c->iterations,
                         u->done, u->planned);
}

// --video: the policy in run directory rel_dir as rel_dir/video.mp4 (kept if it exists).
static void render_video(ui *u, const char *rel_dir) {
    char rel[RUN_PATH_MAX], path[RUN_PATH_MAX];
    err_info e = {0};
    if (fs_path(rel, sizeof rel, &e, "%s/%s", rel_dir, RUN_VIDEO) || run_has(u->dir, rel)) return;
    film_stats st;
    film_opts o = {0};
    if (film_run_dir(u->c->task, u->dir, rel_dir, &o, path, sizeof path, &st, &e))
        progress_note(u->pg, "  no video of %s: %s", rel_dir, e.msg);
    else
        progress_note(u->pg, "  video: %s (%d frames)", path, st.frames);
}

// A string field of an event, made safe to print (it may come from a server or a run file).
static const char *field(const cJSON *f, const char *key, char *buf, size_t n) {
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(f, key));
    return san_str(buf, n, s ? s : "?", 0);
}

static void ui_event(void *ctx, const char *type, const cJSON *f) {
    ui *u = ctx;
    const cJSON *it = cJSON_GetObjectItem(f, "iteration"), *s = cJSON_GetObjectItem(f, "sample");
    int iv = cJSON_IsNumber(it) ? it->valueint : 0, sv = cJSON_IsNumber(s) ? s->valueint : 0;
    const cJSON *fit = cJSON_GetObjectItem(f, "fitness");
    char a[512], b[512], d[512];
    // Notes about trust are shown even with --quiet or --json: they change what the run means.
    if (strcmp(type, "llm_changed") == 0) {
        progress_clear(u->pg);
        fprintf(stderr, "note: this run was recorded with %s; continuing with %s (the connection "
                "comes from your command line and environment)\n", field(f, "recorded", a, sizeof a),
                field(f, "now", b, sizeof b));
    } else if (strcmp(type, "result_rejected") == 0) {
        progress_clear(u->pg);
        fprintf(stderr, "note: %s is not used: %s (the run directory was edited)\n",
                field(f, "file", a, sizeof a), field(f, "message", b, sizeof b));
    } else if (strcmp(type, "start") == 0 || strcmp(type, "resume") == 0) {
        const char *dir = cJSON_GetStringValue(cJSON_GetObjectItem(f, "dir"));
        snprintf(u->dir, sizeof u->dir, "%s", dir ? dir : "");
        progress_note(u->pg, "%s %s (LLM: %s, %s)", type[0] == 's' ? "search in" : "resuming",
                      field(f, "dir", d, sizeof d), field(f, "backend", a, sizeof a),
                      field(f, "model", b, sizeof b));
    } else if (strcmp(type, "iteration_start") == 0) {
        u->iteration = iv;
        u->done = 0;
        u->planned = u->c->samples;
        show_counts(u);
    } else if (strcmp(type, "sample_done") == 0) {
        char line[300];
        const cJSON *rob = cJSON_GetObjectItem(f, "fitness_robust"), *rg = cJSON_GetObjectItem(f, "rung");
        if (cJSON_IsNumber(fit))
            snprintf(line, sizeof line, "sample %02d judged %.3f after rung %d (best checkpoint %.3f)", sv,
                     cJSON_GetNumberValue(rob), cJSON_IsNumber(rg) ? rg->valueint : 0, fit->valuedouble);
        else
            snprintf(line, sizeof line, "sample %02d %s: %.200s", sv, field(f, "status", a, sizeof a),
                     field(f, "message", b, sizeof b));
        u->done++;
        show_counts(u);
        // A candidate that never trained frees its first rung's budget; the others were
        // counted rung by rung.
        if (!cJSON_IsNumber(rg) || rg->valueint == 0) progress_done(u->pg, unit_id(iv, sv, 1), line);
        else progress_note(u->pg, "  %s", line);
    } else if (strcmp(type, "rung_done") == 0) {
        const cJSON *rob = cJSON_GetObjectItem(f, "fitness_robust"), *rg = cJSON_GetObjectItem(f, "rung");
        int r = cJSON_IsNumber(rg) ? rg->valueint : 1;
        char line[300];
        if (cJSON_IsNumber(rob)) snprintf(line, sizeof line, "sample %02d rung %d judged %.3f", sv, r, rob->valuedouble);
        else snprintf(line, sizeof line, "sample %02d rung %d %s: %.200s", sv, r, field(f, "status", a, sizeof a),
                      field(f, "message", b, sizeof b));
        progress_done(u->pg, unit_id(iv, sv, r), line);
    } else if (strcmp(type, "best_updated") == 0) {
        const cJSON *rob = cJSON_GetObjectItem(f, "fitness_robust");
        progress_best(u->pg, cJSON_GetNumberValue(rob));
        char name[32] = "?";
        run_sample_rel(name, sizeof name, iv, sv, NULL, NULL);
        progress_note(u->pg, "  new best: %s judged %.3f", name, cJSON_GetNumberValue(rob));
    } else if (strcmp(type, "iteration_best") == 0 && u->video) {
        char rel[64];
        if (!run_sample_rel(rel, sizeof rel, iv, sv, NULL, NULL)) render_video(u, rel);
    } else if (strcmp(type, "all_failed_retry") == 0) {
        progress_note(u->pg, "  every candidate failed: sending the errors back and asking again");
        plan_iteration(u);
        u->planned += u->c->samples;
    } else if (strcmp(type, "recheck_start") == 0) {
        u->iteration = 0;
        progress_context(u->pg, "re-check of the %d best iteration winners on a fresh seed",
                         (int)cJSON_GetNumberValue(cJSON_GetObjectItem(f, "finalists")));
    } else if (strcmp(type, "recheck") == 0) {
        const cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(f, "finalists")) {
            int xi = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "iteration"));
            int xs = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "sample"));
            char name[32] = "?";
            run_sample_rel(name, sizeof name, xi, xs, NULL, NULL);
            char line[160];
            snprintf(line, sizeof line, "finalist %s judged %.3f, again %.3f, mean %.3f", name,
                     cJSON_GetNumberValue(cJSON_GetObjectItem(x, "judged")),
                     cJSON_GetNumberValue(cJSON_GetObjectItem(x, "again")),
                     cJSON_GetNumberValue(cJSON_GetObjectItem(x, "mean")));
            progress_done(u->pg, unit_id(xi, xs, 0), line);
        }
    } else if (strcmp(type, "eval_start") == 0) {
        u->iteration = 0;
        progress_context(u->pg, "final evaluation of best.c (%d seeds)", u->c->eval_seeds);
    } else if (strcmp(type, "budget_exhausted") == 0) {
        progress_note(u->pg, "token budget spent: stopping the search");
    }
}

// --feedback: show the reflection, read a person's text (until an empty line or EOF).
static char *ask_feedback(void *ctx, int iteration, const char *reflection) {
    ui *u = ctx;
    progress_clear(u->pg);
    char *shown = san_dup(reflection, strlen(reflection), SAN_NEWLINE | SAN_TAB, 0, 1u << 20);
    fprintf(stderr, "\niteration %d, best candidate's training:\n%s\n"
                    "Your feedback for the model (end with an empty line; empty = use the above):\n",
            iteration, shown ? shown : "");
    free(shown);
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap), line[1024];
    if (!buf) return NULL;
    buf[0] = '\0';
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == '\n') break;
        size_t l = strlen(line);
        if (n + l + 1 > cap) break;
        memcpy(buf + n, line, l + 1);
        n += l;
    }
    return buf;
}

// A search in which every candidate failed found nothing: that is a failure, whatever
// else went right. The exit status of the summary.
static int all_failed(const search_summary *s) {
    if (s->best_path[0]) return CLI_EXIT_OK;
    err_info e;
    char dir[RUN_PATH_MAX];
    err_set(&e, ERR_RUNTIME, "failed: every candidate failed (see eureka show %s)",
            san_str(dir, sizeof dir, s->run_dir, 0));
    return cli_fail("search", &e);
}

int cmd_search(int argc, char **argv) {
    search_cfg c;
    search_cfg_default(&c);
    const char *task = NULL, *resume = NULL, *context = NULL, *first_cut = NULL;
    long seed = 1;
    int quiet = 0, json = 0, help = 0, video = 0;
    cli_trainer_opts topt = {0};
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (see eureka tasks)", 0, 0},
        {"--llm", CLI_STR, &c.llm.backend, "auto|openai|anthropic|offline|replay:FILE (default auto)", 0, 0},
        {"--model", CLI_STR, &c.llm.model, "model name (backend default otherwise)", 0, 0},
        {"--base-url", CLI_STR, &c.llm.base_url, "API base URL (OpenAI-compatible servers)", 0, 0},
        {"--llm-timeout", CLI_DOUBLE, &c.llm.timeout_s, "limit on one LLM request with its retries (default 600 s)", 0.001, 1e6},
        {"--llm-connect-timeout", CLI_DOUBLE, &c.llm.connect_timeout_s, "limit on connecting to the LLM server (default 5 s)", 0.001, 1e6},
        {"--llm-idle-timeout", CLI_DOUBLE, &c.llm.idle_timeout_s, "end an attempt that receives nothing this long (default 300 s)", 0.001, 1e6},
        {"--temperature", CLI_DOUBLE, &c.llm.temperature, "sampling temperature (default 1.0)", 0, 2},
        {"--max-tokens", CLI_LONG, &c.llm.max_tokens, "tokens per reply (default 4096)", 1, 10000000},
        {"--max-tokens-total", CLI_LONG, &c.llm.max_tokens_total, "stop asking after this many tokens", 1, 1e15},
        {"--iterations", CLI_INT, &c.iterations, "N: iterations (default 4)", 1, 99},
        {"--samples", CLI_INT, &c.samples, "K: rewards per iteration (default 8)", 1, 16},
        {"--jobs", CLI_INT, &c.jobs, "J: trainings at once (default: number of cores); a batch of J+1 to 2J-1 runs whole", 1, 64},
        {"--threads", CLI_INT, &c.threads, "threads per training (default max(1, cores/jobs))", 1, 64},
        {"--train-steps", CLI_LONG, &c.train_steps, "full budget the tournament's survivors reach (default the task's)", 1, 1e12},
        {"--rungs", CLI_STR, &c.rungs, "rung ends as fractions of it, halving the field at each (default 0.25,0.5,1)", 0, 0},
        {"--first-cut", CLI_STR, &first_cut, "graded|success: what the first rung ranks on (default graded; measured: docs/judge.md)", 0, 0},
        {"--robust-cases", CLI_INT, &c.robust_cases, "held-out cases of the judge's robust statistic (default 2x the task's set)", 1, 100000},
        {"--context", CLI_STR, &context, "elitist|eureka: reflect on the best so far or on each iteration's best (default elitist)", 0, 0},
        {"--train-seconds", CLI_DOUBLE, &c.train_seconds, "wall-clock cap per candidate training", 1, 1e9},
        {"--timeout", CLI_DOUBLE, &c.timeout_s, "kill a candidate's worker after S seconds (default: from its budget)", 1, 1e9},
        {"--finalists", CLI_INT, &c.finalists, "iteration winners re-trained on a fresh seed before the final evaluation; the best mean wins (default 2; 0: none)", 0, 8},
        {"--eval-seeds", CLI_INT, &c.eval_seeds, "final evaluation trainings of the best (default 3)", 0, 20},
        {"--eval-steps", CLI_LONG, &c.eval_steps, "steps per evaluation training (default the task's)", 1, 1e12},
        {"--seed", CLI_LONG, &seed, "run seed (default 1)", 0, SEARCH_SEED_MAX},
        {"--init-human", CLI_BOOL, &c.init_human, "start from rewards/<task>_human.c", 0, 0},
        {"--feedback", CLI_BOOL, &c.human_feedback, "type feedback yourself after each iteration", 0, 0},
        {"--out", CLI_STR, &c.out, "run directory (default runs/<stamp>-<task>)", 0, 0},
        {"--resume", CLI_STR, &resume, "continue the stopped search RUN (a directory or latest); the LLM connection comes from this command line", 0, 0},
        {"--video", CLI_BOOL, &video, "render each iteration's best and the final best (video.mp4)", 0, 0},
        {"--quiet", CLI_BOOL, &quiet, "no progress lines", 0, 0},
        {"--json", CLI_BOOL, &json, "print the summary as JSON", 0, 0},
        CLI_TRAINER_FLAGS(topt),
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, NULL, &help, &e)) return cli_fail("search", &e);
    if (help) {
        cli_usage("search", "--task T [options]", flags, nf);
        return 0;
    }
    if (context && strcmp(context, "elitist") != 0 && strcmp(context, "eureka") != 0) {
        err_set(&e, ERR_USAGE, "--context %s: use elitist or eureka", context);
        return cli_fail("search", &e);
    }
    if (first_cut && strcmp(first_cut, "graded") != 0 && strcmp(first_cut, "success") != 0) {
        err_set(&e, ERR_USAGE, "--first-cut %s: use graded or success", first_cut);
        return cli_fail("search", &e);
    }
    cJSON *hold = NULL;
    char resume_dir[RUN_PATH_MAX];
    if (resume) {
        if (task || c.out || first_cut || topt.set || topt.exploration || topt.noise_period || topt.curriculum) {
            err_set(&e, ERR_USAGE, "--resume takes its settings from DIR/run.json: drop --task, --out, --first-cut, "
                    "--set and the trainer flags");
            return cli_fail("search", &e);
        }
        // The run's settings, but the connection (backend, model, base URL, timeouts,
        // already in c.llm) stays this command line's; a budget given here wins too.
        long budget = c.llm.max_tokens_total;
        if (cli_run(resume, resume_dir, sizeof resume_dir, &e) ||
            search_resume_cfg(resume_dir, &c, &hold, &e))
            return cli_fail("search", &e);
        if (budget > 0) c.llm.max_tokens_total = budget;
    } else {
        if (!(c.task = cli_task(task, &e)) || cli_trainer_apply(&topt, c.task, &c.trainer, &e)) return cli_fail("search", &e);
        c.seed = (uint64_t)seed;
        c.context_eureka = context && strcmp(context, "eureka") == 0;
        if (first_cut) c.first_cut_success = strcmp(first_cut, "success") == 0;
    }
    ui u = {0};
    u.c = &c;
    u.video = video;
    u.pg = progress_new("search", NULL, quiet || json);
    long ck_interval, eval_steps;
    if (search_plan(&c, &u.plan, &ck_interval, &eval_steps, &e)) {
        progress_free(u.pg);
        cJSON_Delete(hold);
        return cli_fail("search", &e);
    }
    for (int i = 0; i < c.iterations; i++) plan_iteration(&u);
    int finalists = c.finalists < c.iterations ? c.finalists : c.iterations;
    if (finalists >= 2) progress_plan(u.pg, finalists, u.plan.steps[u.plan.n_rungs - 1]);
    progress_plan(u.pg, c.eval_seeds, eval_steps);
    c.on_progress = ui_progress;
    c.on_event = ui_event;
    c.ask_feedback = ask_feedback;
    c.ctx = &u;
    c.stop = cli_catch_stop();
    search_summary s;
    int rc = search_run(&c, &s, &e);
    char rel[RUN_PATH_MAX];
    if (!rc && video && run_best_policy_rel(s.run_dir, rel, sizeof rel, NULL) == ERR_OK)
        render_video(&u, rel);      // the final evaluation's best (a candidate's exists already)
    progress_free(u.pg);
    cJSON_Delete(hold);
    if (rc && *c.stop) e.code = ERR_INTERRUPTED;    // however the stop surfaced
    if (rc) return cli_fail("search", &e);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "run", s.run_dir);
        if (s.best_path[0]) cJSON_AddStringToObject(o, "best", s.best_path);
        else cJSON_AddNullToObject(o, "best");
        cJSON_AddNumberToObject(o, "best_iteration", s.best_iteration);
        cJSON_AddNumberToObject(o, "best_sample", s.best_sample);
        cJSON_AddNumberToObject(o, "best_fitness", s.best_fitness);
        cJSON_AddNumberToObject(o, "best_fitness_robust", s.best_robust);
        cJSON *ci = cJSON_AddArrayToObject(o, "best_fitness_ci");
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(s.best_ci_low));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(s.best_ci_high));
        cJSON_AddNumberToObject(o, "eval_seeds", s.eval_n);
        cJSON_AddNumberToObject(o, "eval_mean", s.eval_mean);
        cJSON_AddNumberToObject(o, "eval_std", s.eval_std);
        cJSON_AddNumberToObject(o, "candidates", s.candidates);
        cJSON_AddNumberToObject(o, "failures", s.failures);
        cJSON_AddStringToObject(o, "backend", s.backend);
        cJSON_AddStringToObject(o, "model", s.model);
        cJSON_AddNumberToObject(o, "prompt_tokens", (double)s.prompt_tokens);
        cJSON_AddNumberToObject(o, "completion_tokens", (double)s.completion_tokens);
        cJSON_AddNumberToObject(o, "seconds", s.seconds);
        cJSON_AddBoolToObject(o, "budget_exhausted", s.budget_exhausted);
        cJSON_AddStringToObject(o, "status", s.best_path[0] ? "ok" : "failed");
        cli_json_print(o);
        cJSON_Delete(o);
        return all_failed(&s);
    }
    // The model name may come from a replay file: print it like every untrusted string.
    char dir[1024], model[256], best[1024], name[32] = "?";
    san_str(dir, sizeof dir, s.run_dir, 0);
    san_str(model, sizeof model, s.model, 0);
    san_str(best, sizeof best, s.best_path, 0);
    printf("run:        %s\n", dir);
    if (s.best_path[0]) {
        run_sample_rel(name, sizeof name, s.best_iteration, s.best_sample, NULL, NULL);
        printf("best:       %s (%s: judged %.3f [%.3f, %.3f], best checkpoint %.3f)\n", best, name, s.best_robust,
               s.best_ci_low, s.best_ci_high, s.best_fitness);
        if (s.eval_n > 0)
            printf("evaluation: fitness %.3f +- %.3f over %d seeds\n", s.eval_mean, s.eval_std, s.eval_n);
    } else {
        printf("best:       failed: every candidate failed (see eureka show %s)\n", dir);
    }
    printf("candidates: %d trained or tried, %d failed\n", s.candidates, s.failures);
    printf("llm:        %s (%s)%s\n", s.backend, model,
           strcmp(s.backend, "offline") == 0 ? ": the built-in mutator, not a language model" : "");
    printf("tokens:     %ld prompt + %ld completion\n", s.prompt_tokens, s.completion_tokens);
    printf("time:       %.0f s\n", s.seconds);
    if (s.budget_exhausted) printf("note:       stopped early: the --max-tokens-total budget was spent\n");
    return all_failed(&s);
}
