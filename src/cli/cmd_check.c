// cmd_check.c: `eureka check --task T FILE`: compile a reward and call it on real
// rollouts of the task inside the sandbox, in a second or two. The fast loop for a
// person (or a model) writing a reward: it says what each component looks like, or
// the one-line reason the reward would fail in training.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "search/extract.h"
#include "util/fs.h"
#include "reward/rcomp.h"
#include "judge/judge.h"
#include "task/task.h"

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
    if (steps < 1 || steps > 10000000) {
        err_set(&e, ERR_USAGE, "--steps %ld: use 1..10000000", steps);
        return cli_fail("check", &e);
    }
    if (!(timeout > 0) || timeout > 86400) {
        err_set(&e, ERR_USAGE, "--timeout %g: use a positive number of seconds", timeout);
        return cli_fail("check", &e);
    }
    size_t len = 0;
    // Read a little over the cap so an oversized file gets the compiler's message.
    char *src = fs_read(pos[0], 4 * RCOMP_MAX_SOURCE, &len, &e);
    if (!src) {
        if (e.code == ERR_LIMIT)
            err_set(&e, ERR_COMPILE, "%s: over the %d-byte limit for a reward: write a shorter reward", pos[0],
                    RCOMP_MAX_SOURCE);
        return cli_fail("check", &e);
    }

    // An LLM reply saved as Markdown: check the code block it would contribute.
    size_t nl = strlen(pos[0]);
    if (nl > 3 && strcmp(pos[0] + nl - 3, ".md") == 0) {
        char *code = extract_code(src, &e);
        free(src);
        if (!code) {
            fprintf(stderr, "eureka check: %s: %s\n", pos[0], e.msg);
            return 1;
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

    const cJSON *r = res.result;
    int rc = res.status == SB_OK ? 0 : 1;
    if (json) {
        printf("{\"task\":\"%s\",\"status\":\"%s\",\"seconds\":%.3f", task->name, sb_status_name(res.status),
               res.seconds);
        if (res.status != SB_OK) {
            cJSON *s = cJSON_CreateString(res.message);
            char *q = cJSON_PrintUnformatted(s);
            printf(",\"message\":%s", q ? q : "\"\"");
            if (res.status == SB_SYSCALL) printf(",\"syscall\":%d,\"syscall_name\":\"%s\"", res.syscall_nr, res.syscall_name);
            if (res.signal) printf(",\"signal\":%d", res.signal);
            cJSON_free(q);
            cJSON_Delete(s);
        } else {
            const cJSON *comps = cJSON_GetObjectItemCaseSensitive(r, "components");
            const cJSON *tot = cJSON_GetObjectItemCaseSensitive(r, "total");
            char *c = cJSON_PrintUnformatted(comps), *t = cJSON_PrintUnformatted(tot);
            printf(",\"calls\":%ld,\"components\":%s,\"total\":%s", steps, c ? c : "[]", t ? t : "{}");
            cJSON_free(c);
            cJSON_free(t);
        }
        printf("}\n");
    } else if (res.status != SB_OK) {
        fprintf(stderr, "eureka check: %s: %s: %s\n", pos[0], sb_status_name(res.status), res.message);
    } else {
        const cJSON *comps = cJSON_GetObjectItemCaseSensitive(r, "components");
        const cJSON *tot = cJSON_GetObjectItemCaseSensitive(r, "total");
        printf("%s: ok for task %s: %ld reward calls on random-action rollouts in %.2f s\n", pos[0], task->name,
               steps, res.seconds);
        printf("  %-24s %12s %12s %12s\n", "component", "min", "mean", "max");
        const cJSON *c;
        cJSON_ArrayForEach(c, comps) {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
            printf("  %-24s %12.4g %12.4g %12.4g\n", cJSON_IsString(nm) ? nm->valuestring : "?",
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "min")),
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "mean")),
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "max")));
        }
        if (cJSON_GetArraySize(comps) == 0) printf("  (no components recorded with term())\n");
        printf("  %-24s %12.4g %12.4g %12.4g\n", "(total)",
               cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tot, "min")),
               cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tot, "mean")),
               cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(tot, "max")));
    }
    judge_verdict_free(&res);
    return rc;
}
