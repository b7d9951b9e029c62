// test_run.c: run directory layout, atomic JSON, events, candidate references.
#include <stdlib.h>
#include <unistd.h>

#include "util/fs.h"
#include "search/run.h"
#include "testlib.h"

static char tmp[] = "/tmp/eureka_run_XXXXXX";

static void test_create_and_files(void) {
    err_info e;
    char dir[RUN_PATH_MAX], out[RUN_PATH_MAX], rel[256];
    snprintf(out, sizeof out, "%s/r1", tmp);
    CHECK(run_create(out, "cartpole", dir, sizeof dir, &e) == ERR_OK);
    CHECK(strcmp(dir, out) == 0 && fs_exists(dir));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "task", "cartpole");
    cJSON_AddNumberToObject(o, "seed", 7);
    CHECK(run_write_json(dir, "run.json", o, &e) == ERR_OK);
    cJSON_Delete(o);
    // A second search into the same --out is refused, with the fix in the message.
    CHECK(run_create(out, "cartpole", dir, sizeof dir, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "--resume");
    cJSON *r = run_read_json(dir, "run.json", &e);
    CHECK(r && cJSON_GetObjectItem(r, "seed")->valuedouble == 7);
    cJSON_Delete(r);
    CHECK(run_sample_rel(rel, sizeof rel, 2, 3, "reward.c", &e) == ERR_OK);
    CHECK(strcmp(rel, "iter02/sample03/reward.c") == 0);
    CHECK(run_write_text(dir, rel, "double compute_reward(...)", &e) == ERR_OK);
    CHECK(run_has(dir, rel));
    CHECK(run_write_text(dir, "iter01/sample00/status.json", "{}", &e) == ERR_OK);
    CHECK(run_write_text(dir, "iter02/sample07/status.json", "{}", &e) == ERR_OK);
    CHECK(run_count_iters(dir) == 2);
    CHECK(run_count_samples(dir, 2) == 8);
    CHECK(run_count_samples(dir, 1) == 1);
    CHECK(run_count_samples(dir, 5) == 0);
    char *s = run_read_text(dir, rel, 1000, &e);
    CHECK(s && strcmp(s, "double compute_reward(...)") == 0);
    free(s);
    CHECK(run_read_text(dir, "nope.txt", 100, &e) == NULL && e.code == ERR_NOTFOUND);
    CHECK(run_write_text(dir, "bad.json", "{not json", &e) == ERR_OK);
    CHECK(run_read_json(dir, "bad.json", &e) == NULL && e.code == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "bad.json");
}

static void test_default_name(void) {
    err_info e;
    char dir[RUN_PATH_MAX], cwd[RUN_PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(tmp) == 0);
    char d2[RUN_PATH_MAX];
    CHECK(run_create(NULL, "reorient", dir, sizeof dir, &e) == ERR_OK);
    CHECK(run_create(NULL, "reorient", d2, sizeof d2, &e) == ERR_OK);
    CHECK(strncmp(dir, "runs/20", 7) == 0 && strstr(dir, "-reorient") != NULL);
    CHECK(strcmp(dir, d2) != 0);   // same second: distinct directories
    CHECK(fs_exists(dir) && fs_exists(d2));
    CHECK(chdir(cwd) == 0);
}

static void test_events(void) {
    err_info e;
    char dir[RUN_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/r1", tmp);
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "iteration", 1);
    CHECK(run_event(dir, "iteration_start", f, &e) == ERR_OK);
    CHECK(run_event(dir, "done", NULL, &e) == ERR_OK);
    char *s = run_read_text(dir, "events.jsonl", 10000, &e);
    CHECK(s != NULL);
    int lines = 0;
    for (char *p = s; p && *p; p++) lines += *p == '\n';
    CHECK(lines == 2);
    char *nl = s ? strchr(s, '\n') : NULL;
    if (nl) *nl = '\0';
    cJSON *j = s ? cJSON_Parse(s) : NULL;
    CHECK(j && strcmp(cJSON_GetObjectItem(j, "event")->valuestring, "iteration_start") == 0);
    CHECK(j && cJSON_GetObjectItem(j, "iteration")->valueint == 1);
    CHECK(j && cJSON_GetObjectItem(j, "time")->valuedouble > 1.6e9);
    cJSON_Delete(j);
    free(s);
}

static void test_refs(void) {
    err_info e;
    int i = -1, k = -1;
    CHECK(run_parse_ref("iter02/sample03", &i, &k, &e) == ERR_OK && i == 2 && k == 3);
    CHECK(run_parse_ref("3/0", &i, &k, &e) == ERR_OK && i == 3 && k == 0);
    CHECK(run_parse_ref("best", &i, &k, &e) == ERR_OK && i == 0 && k == 0);
    CHECK(run_parse_ref("iter02", &i, &k, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "iter02/sample03");
    CHECK(run_parse_ref("iter0/sample1", &i, &k, &e) == ERR_USAGE);
    CHECK(run_parse_ref("iter1/sample1x", &i, &k, &e) == ERR_USAGE);
}

int main(void) {
    if (!mkdtemp(tmp)) { perror("mkdtemp"); return 1; }
    TEST_RUN(test_create_and_files);
    TEST_RUN(test_default_name);
    TEST_RUN(test_events);
    TEST_RUN(test_refs);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    TEST_END();
}
