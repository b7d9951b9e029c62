// test_trainlog.c: train.json -> progress.csv: one row per update, checkpoints on the row
// of the update they follow, hostile names and missing series handled.
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util/trainlog.h"

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

// Field k (0-based) of line `line` (0 = header), into out.
static void field(const char *csv, int line, int k, char *out, size_t n) {
    const char *p = csv;
    for (int l = 0; l < line && p; l++) p = strchr(p, '\n'), p = p ? p + 1 : NULL;
    out[0] = '\0';
    for (int f = 0; p && f < k; f++) {
        const char *c = strpbrk(p, ",\n");
        p = c && *c == ',' ? c + 1 : NULL;
    }
    if (!p) return;
    size_t len = strcspn(p, ",\n");
    snprintf(out, n, "%.*s", (int)(len < n ? len : n - 1), p);
}

static void test_rows_and_columns(void) {
    const char *j =
        "{\"steps\": 4000, \"seconds\": 8.0, \"updates\": 4,"
        " \"components\": {\"rot_reward\": [0.1, 0.2, 0.3, 0.4], \"bad,na\\nme\": [1, 2]},"
        " \"reward_total\": [1, 2, 3, 4], \"episode_length\": [10, 20, 30, 40],"
        " \"policy_std\": [0.6, 0.5, 0.4, 0.3], \"approx_kl\": [0.01, 0.02, 0.03, 0.04],"
        " \"clip_frac\": [0.1, 0.1, 0.1, \"x\"],"
        " \"checkpoints\": {\"steps\": [2000, 4000], \"fitness\": [0.25, 0.75],"
        "                   \"fitness_sd\": [0.1, 0.2], \"episode_length\": [75, 75]}}";
    cJSON *t = cJSON_Parse(j);
    err_info e = {0};
    char *csv = trainlog_csv(t, &e);
    CHECK_MSG(csv != NULL, "%s", e.msg);
    if (!csv) { cJSON_Delete(t); return; }
    CHECK(count_lines(csv) == 1 + 4);
    CHECK_STR_CONTAINS(csv, "time/iterations,time/total_timesteps,time/time_elapsed,rollout/reward_mean,"
                            "rollout/ep_len_mean,reward/rot_reward,reward/bad_na_me,train/std,"
                            "train/approx_kl,train/clip_fraction,eval/fitness,eval/fitness_sd,"
                            "eval/ep_len_mean\n");
    char f[64];
    field(csv, 2, 1, f, sizeof f);
    CHECK(strcmp(f, "2000") == 0);
    field(csv, 2, 2, f, sizeof f);
    CHECK(strcmp(f, "4.000") == 0);
    field(csv, 3, 5, f, sizeof f);          // rot_reward of update 3
    CHECK(strcmp(f, "0.3") == 0);
    field(csv, 3, 6, f, sizeof f);          // the short component has no value there
    CHECK(f[0] == '\0');
    field(csv, 4, 9, f, sizeof f);          // a non-number stays empty
    CHECK(f[0] == '\0');
    field(csv, 1, 10, f, sizeof f);         // no checkpoint after update 1
    CHECK(f[0] == '\0');
    field(csv, 2, 10, f, sizeof f);         // the checkpoint at 2000 steps follows update 2
    CHECK(strcmp(f, "0.25") == 0);
    field(csv, 4, 10, f, sizeof f);
    CHECK(strcmp(f, "0.75") == 0);
    field(csv, 4, 12, f, sizeof f);
    CHECK(strcmp(f, "75") == 0);
    free(csv);
    cJSON_Delete(t);
}

static void test_rejects(void) {
    err_info e = {0};
    cJSON *t = cJSON_Parse("{\"fitness\": 1}");
    CHECK(trainlog_csv(t, &e) == NULL && e.code == ERR_PARSE);
    cJSON_Delete(t);
    t = cJSON_Parse("{\"steps\": 10, \"updates\": 1e9, \"reward_total\": []}");
    CHECK(trainlog_csv(t, &e) == NULL && e.code == ERR_LIMIT);
    cJSON_Delete(t);
    // No updates: just the header.
    t = cJSON_Parse("{\"steps\": 0, \"updates\": 0, \"reward_total\": []}");
    char *csv = trainlog_csv(t, &e);
    CHECK(csv && count_lines(csv) == 1);
    free(csv);
    cJSON_Delete(t);
}

int main(void) {
    TEST_RUN(test_rows_and_columns);
    TEST_RUN(test_rejects);
    TEST_END();
}
