// cmd_search.c: `eureka search`: flags, progress lines on a terminal, the end summary.
// The loop itself is search.c.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "search/search.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) { (void)sig; stop_flag = 1; }

#define MAX_LINES 64

typedef struct ui {
    int progress;           // draw status lines
    int drawn;              // lines currently on screen below the log
    int n;
    search_progress live[MAX_LINES];
    double last_draw;
} ui;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void clear_block(ui *u) {
    if (u->drawn > 0) fprintf(stderr, "\033[%dA\033[J", u->drawn);
    u->drawn = 0;
}

static void draw(ui *u) {
    clear_block(u);
    for (int i = 0; i < u->n; i++) {
        const search_progress *p = &u->live[i];
        char fit[32] = "-";
        if (p->fitness >= 0) snprintf(fit, sizeof fit, "%.3f", p->fitness);
        if (p->iteration > 0)
            fprintf(stderr, "  iter %02d sample %02d  %8ld / %ld steps  %6.0f steps/s  fitness %s\n",
                    p->iteration, p->sample, p->steps, p->total, p->sps, fit);
        else
            fprintf(stderr, "  eval seed %d        %8ld / %ld steps  %6.0f steps/s  fitness %s\n",
                    p->sample, p->steps, p->total, p->sps, fit);
    }
    u->drawn = u->n;
    fflush(stderr);
    u->last_draw = now_s();
}

static void ui_progress(void *ctx, const search_progress *p) {
    ui *u = ctx;
    if (!u->progress) return;
    int at = -1;
    for (int i = 0; i < u->n; i++)
        if (u->live[i].iteration == p->iteration && u->live[i].sample == p->sample) at = i;
    if (at < 0 && u->n < MAX_LINES) at = u->n++;
    if (at >= 0) u->live[at] = *p;
    if (now_s() - u->last_draw > 0.2) draw(u);
}

static void ui_event(void *ctx, const char *type, const cJSON *f) {
    ui *u = ctx;
    if (!u->progress) return;
    const cJSON *it = cJSON_GetObjectItem(f, "iteration"), *s = cJSON_GetObjectItem(f, "sample");
    int iv = cJSON_IsNumber(it) ? it->valueint : 0, sv = cJSON_IsNumber(s) ? s->valueint : 0;
    char line[700] = "";
    if (strcmp(type, "start") == 0 || strcmp(type, "resume") == 0) {
        snprintf(line, sizeof line, "%s %s (LLM: %s, %s)", type[0] == 's' ? "search in" : "resuming",
                 cJSON_GetStringValue(cJSON_GetObjectItem(f, "dir")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(f, "backend")),
                 cJSON_GetStringValue(cJSON_GetObjectItem(f, "model")));
    } else if (strcmp(type, "iteration_start") == 0) {
        snprintf(line, sizeof line, "iteration %d", iv);
    } else if (strcmp(type, "sample_done") == 0) {
        const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(f, "status"));
        const cJSON *fit = cJSON_GetObjectItem(f, "fitness");
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(f, "message"));
        if (cJSON_IsNumber(fit))
            snprintf(line, sizeof line, "  sample %02d: fitness %.3f", sv, fit->valuedouble);
        else
            snprintf(line, sizeof line, "  sample %02d: %s: %.200s", sv, st ? st : "?", msg ? msg : "");
        for (int i = 0; i < u->n; i++)
            if (u->live[i].iteration == iv && u->live[i].sample == sv) u->live[i] = u->live[--u->n];
    } else if (strcmp(type, "best_updated") == 0) {
        snprintf(line, sizeof line, "  new best: iter%02d/sample%02d fitness %.3f", iv, sv,
                 cJSON_GetObjectItem(f, "fitness")->valuedouble);
    } else if (strcmp(type, "all_failed_retry") == 0) {
        snprintf(line, sizeof line, "  every candidate failed: sending the errors back and asking again");
    } else if (strcmp(type, "eval_start") == 0) {
        snprintf(line, sizeof line, "final evaluation of best.c");
        u->n = 0;
    } else if (strcmp(type, "budget_exhausted") == 0) {
        snprintf(line, sizeof line, "token budget spent: stopping the search");
    }
    if (!line[0]) return;
    clear_block(u);
    fprintf(stderr, "%s\n", line);
    draw(u);
}

// --feedback: show the reflection, read a person's text (until an empty line or EOF).
static char *ask_feedback(void *ctx, int iteration, const char *reflection) {
    ui *u = ctx;
    clear_block(u);
    fprintf(stderr, "\niteration %d, best candidate's training:\n%s\n"
                    "Your feedback for the model (end with an empty line; empty = use the above):\n",
            iteration, reflection);
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

int cmd_search(int argc, char **argv) {
    search_cfg c;
    search_cfg_default(&c);
    const char *task = NULL, *resume = NULL;
    long seed = 1;
    int quiet = 0, json = 0, help = 0;
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (see eureka tasks)"},
        {"--llm", CLI_STR, &c.llm.backend, "auto|openai|anthropic|offline|replay:FILE (default auto)"},
        {"--model", CLI_STR, &c.llm.model, "model name (backend default otherwise)"},
        {"--base-url", CLI_STR, &c.llm.base_url, "API base URL (OpenAI-compatible servers)"},
        {"--temperature", CLI_DOUBLE, &c.llm.temperature, "sampling temperature (default 1.0)"},
        {"--max-tokens", CLI_LONG, &c.llm.max_tokens, "tokens per reply (default 4096)"},
        {"--max-tokens-total", CLI_LONG, &c.llm.max_tokens_total, "stop asking after this many tokens"},
        {"--iterations", CLI_INT, &c.iterations, "N: iterations (default 4)"},
        {"--samples", CLI_INT, &c.samples, "K: rewards per iteration (default 8)"},
        {"--jobs", CLI_INT, &c.jobs, "trainings at once (default: number of cores)"},
        {"--threads", CLI_INT, &c.threads, "threads per training (default max(1, cores/jobs))"},
        {"--train-steps", CLI_LONG, &c.train_steps, "steps per candidate (default half the task's)"},
        {"--train-seconds", CLI_DOUBLE, &c.train_seconds, "wall-clock cap per candidate training"},
        {"--timeout", CLI_DOUBLE, &c.timeout_s, "kill a candidate's worker after S seconds (default: from its budget)"},
        {"--eval-seeds", CLI_INT, &c.eval_seeds, "final evaluation trainings of the best (default 3)"},
        {"--eval-steps", CLI_LONG, &c.eval_steps, "steps per evaluation training (default the task's)"},
        {"--seed", CLI_LONG, &seed, "run seed (default 1)"},
        {"--init-human", CLI_BOOL, &c.init_human, "start from rewards/<task>_human.c"},
        {"--feedback", CLI_BOOL, &c.human_feedback, "type feedback yourself after each iteration"},
        {"--out", CLI_STR, &c.out, "run directory (default runs/<stamp>-<task>)"},
        {"--resume", CLI_STR, &resume, "continue the killed search in DIR"},
        {"--quiet", CLI_BOOL, &quiet, "no progress lines"},
        {"--json", CLI_BOOL, &json, "print the summary as JSON"},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, NULL, &help, &e)) return cli_fail("search", &e);
    if (help) {
        cli_usage("search", "--task T [options]", flags, nf);
        return 0;
    }
    cJSON *hold = NULL;
    if (resume) {
        if (task || c.out) {
            err_set(&e, ERR_USAGE, "--resume takes its settings from DIR/run.json: drop --task/--out");
            return cli_fail("search", &e);
        }
        if (search_resume_cfg(resume, &c, &hold, &e)) return cli_fail("search", &e);
    } else {
        if (!(c.task = cli_task(task, &e))) return cli_fail("search", &e);
        if (seed < 0 || seed >= (1L << 53)) {
            err_set(&e, ERR_USAGE, "--seed %ld: use 0..2^53", seed);
            return cli_fail("search", &e);
        }
        c.seed = (uint64_t)seed;
    }
    ui u = {0};
    u.progress = cli_progress_enabled(quiet);
    c.on_progress = ui_progress;
    c.on_event = ui_event;
    c.ask_feedback = ask_feedback;
    c.ctx = &u;
    c.stop = &stop_flag;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    search_summary s;
    int rc = search_run(&c, &s, &e);
    clear_block(&u);
    cJSON_Delete(hold);
    if (rc) return cli_fail("search", &e);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "run", s.run_dir);
        if (s.best_path[0]) cJSON_AddStringToObject(o, "best", s.best_path);
        else cJSON_AddNullToObject(o, "best");
        cJSON_AddNumberToObject(o, "best_iteration", s.best_iteration);
        cJSON_AddNumberToObject(o, "best_sample", s.best_sample);
        cJSON_AddNumberToObject(o, "best_fitness", s.best_fitness);
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
        char *txt = cJSON_Print(o);
        printf("%s\n", txt);
        free(txt);
        cJSON_Delete(o);
        return 0;
    }
    printf("run:        %s\n", s.run_dir);
    if (s.best_path[0]) {
        printf("best:       %s (iter%02d/sample%02d, fitness %.3f during the search)\n", s.best_path,
               s.best_iteration, s.best_sample, s.best_fitness);
        if (s.eval_n > 0)
            printf("evaluation: fitness %.3f +- %.3f over %d seeds\n", s.eval_mean, s.eval_std, s.eval_n);
    } else {
        printf("best:       none (every candidate failed; see eureka show %s)\n", s.run_dir);
    }
    printf("candidates: %d trained or tried, %d failed\n", s.candidates, s.failures);
    printf("llm:        %s (%s)%s\n", s.backend, s.model,
           strcmp(s.backend, "offline") == 0 ? ": the built-in mutator, not a language model" : "");
    printf("tokens:     %ld prompt + %ld completion\n", s.prompt_tokens, s.completion_tokens);
    printf("time:       %.0f s\n", s.seconds);
    if (s.budget_exhausted) printf("note:       stopped early: the --max-tokens-total budget was spent\n");
    return 0;
}
