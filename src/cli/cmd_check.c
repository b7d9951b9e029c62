// cmd_check.c: `eureka check --task T FILE`: compile a reward and call it on real
// rollouts of the task inside the sandbox, in a second or two. The fast loop for a
// person (or a model) writing a reward: it says what each component looks like, or
// the one-line reason the reward would fail in training.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "reward/extract.h"
#include "util/fs.h"
#include "reward/rcomp.h"
#include "judge/judge.h"
#include "task/task.h"
#include "util/sanitize.h"

// The verdict as one JSON object (--json).
static cJSON *verdict_json(const task_def *task, const judge_verdict *res, const char *msg, long steps) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", task->name);
    cJSON_AddStringToObject(o, "status", sb_status_name(res->status));
    cJSON_AddNumberToObject(o, "seconds", res->seconds);
    if (res->status != SB_OK) {
        cJSON_AddStringToObject(o, "message", msg);
        if (res->status == SB_SYSCALL) {
            cJSON_AddNumberToObject(o, "syscall", res->syscall_nr);
            cJSON_AddStringToObject(o, "syscall_name", res->syscall_name);
        }
        if (res->signal) cJSON_AddNumberToObject(o, "signal", res->signal);
        return o;
    }
    cJSON_AddNumberToObject(o, "calls", (double)steps);
    const cJSON *comps = cJSON_GetObjectItemCaseSensitive(res->result, "components");
    const cJSON *tot = cJSON_GetObjectItemCaseSensitive(res->result, "total");
    cJSON_AddItemToObject(o, "components", comps ? cJSON_Duplicate(comps, 1) : cJSON_CreateArray());
    cJSON_AddItemToObject(o, "total", tot ? cJSON_Duplicate(tot, 1) : cJSON_CreateObject());
    return o;
}

static void stats_row(const char *name, const cJSON *c) {
    printf("  %-24s %12.4g %12.4g %12.4g\n", name, cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "min")),
           cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "mean")),
           cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "max")));
}

// The components' min / mean / max on random-action rollouts.
static void print_ok(const char *file, const task_def *task, const judge_verdict *res, long steps) {
    const cJSON *comps = cJSON_GetObjectItemCaseSensitive(res->result, "components");
    printf("%s: ok for task %s: %ld reward calls on random-action rollouts in %.2f s\n", file, task->name, steps,
           res->seconds);
    printf("  %-24s %12s %12s %12s\n", "component", "min", "mean", "max");
    const cJSON *c;
    cJSON_ArrayForEach(c, comps) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
        stats_row(cJSON_IsString(nm) ? nm->valuestring : "?", c);
    }
    if (cJSON_GetArraySize(comps) == 0) printf("  (no components recorded with term())\n");
    stats_row("(total)", cJSON_GetObjectItemCaseSensitive(res->result, "total"));
}

int cmd_check(int argc, char **argv) {
    const char *task_name = NULL, *pos[1];
    long steps = 512;
    int json = 0, help = 0, n_pos = 0;
    double timeout = 30;
    cli_flag flags[] = {
        {"--task", CLI_STR, &task_name, "task whose env.h the reward reads (see eureka tasks)", 0, 0},
        {"--steps", CLI_LONG, &steps, "reward calls on random-action rollouts (default 512)", 1, 10000000},
        {"--json", CLI_BOOL, &json, "print the result as one JSON object", 0, 0},
        {"--timeout", CLI_DOUBLE, &timeout, "wall-clock limit for the worker, seconds (default 30)", 0.001, 86400},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, pos, 1, &n_pos, &help, &e)) return cli_fail("check", &e);
    if (help) {
        cli_usage("check", "--task T FILE   (FILE: a reward .c, or an LLM reply .md)", flags, nf);
        return 0;
    }
    const task_def *task = cli_task(task_name, &e);
    if (!task) return cli_fail("check", &e);
    if (n_pos != 1) {
        err_set(&e, ERR_USAGE, "give the reward file to check: eureka check --task %s FILE", task_name);
        return cli_fail("check", &e);
    }
    size_t len = 0;
    // Read a little over the cap so an oversized file gets the compiler's message.
    char *src = cli_read_input(pos[0], 4 * RCOMP_MAX_SOURCE, &len, &e);
    if (!src) {
        if (e.code == ERR_LIMIT)
            err_set(&e, ERR_COMPILE, "%s: over the %d-byte limit for a reward: write a shorter reward", pos[0],
                    RCOMP_MAX_SOURCE);
        return cli_fail("check", &e);
    }

    // An LLM reply saved as Markdown: check the code block it would contribute (its lines
    // are the block's).
    char label[300];
    size_t nl = strlen(pos[0]);
    int md = nl > 3 && strcmp(pos[0] + nl - 3, ".md") == 0;
    snprintf(label, sizeof label, md ? "%s (its code block)" : "%s", pos[0]);
    if (md) {
        char *code = extract_code(src, &e);
        free(src);
        if (!code) {
            err_wrap(&e, "%s", pos[0]);
            e.code = ERR_COMPILE;
            return cli_fail("check", &e);
        }
        src = code;
        len = strlen(code);
    }

    judge_verdict res;
    memset(&res, 0, sizeof res);
    // NUL bytes hide from a C string: the byte-exact lint runs here.
    if (rcomp_lint_n(src, len, &e) != ERR_OK) {
        res.status = SB_COMPILE;
        snprintf(res.message, sizeof res.message, "%s", e.msg);
    } else {
        judge_job job = {.mode = JUDGE_CHECK, .reward_src = src, .check_calls = (int)steps, .timeout_s = timeout};
        judge_one(task, &job, NULL, NULL, NULL, &res);
    }
    free(src);

    char msg[4 * ERR_MSG_MAX], shown[4 * ERR_MSG_MAX];
    cli_reward_msg(task, label, res.message, msg, sizeof msg);
    if (json) {
        cJSON *o = verdict_json(task, &res, msg, steps);
        cli_json_print(o);
        cJSON_Delete(o);
    } else if (res.status != SB_OK) {
        fprintf(stderr, "eureka check: %s: %s\n", sb_status_name(res.status), san_str(shown, sizeof shown, msg, 0));
    } else {
        print_ok(pos[0], task, &res, steps);
    }
    int rc = res.status == SB_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    judge_verdict_free(&res);
    return rc;
}
