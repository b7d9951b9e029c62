// test_run.c: run directory layout, atomic JSON, events, candidate references, repeated
// rewards (search/repeats.h), and a run directory prepared by an attacker (links, FIFOs,
// devices, oversize files, forged records, a thousand folders).
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "search/repeats.h"
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


// A fresh run directory under tmp/name, and a "victim" file outside it.
static void tampered(const char *name, char *dir, size_t n, char *victim, size_t vn) {
    err_info e;
    snprintf(dir, n, "%s/%s", tmp, name);
    snprintf(victim, vn, "%s/%s-victim", tmp, name);
    CHECK(fs_mkdirs(dir, &e) == ERR_OK);
    CHECK(fs_write_atomic(victim, "precious\n", 9, &e) == ERR_OK);
}

static int victim_intact(const char *victim) {
    char *s = fs_read(victim, 100, NULL, NULL);
    int ok = s && strcmp(s, "precious\n") == 0;
    free(s);
    return ok;
}

// Links anywhere below a run: never followed, for reading, writing or appending.
static void test_links(void) {
    err_info e = {0};
    char dir[RUN_PATH_MAX], victim[RUN_PATH_MAX], p[RUN_PATH_MAX + 64];
    tampered("links", dir, sizeof dir, victim, sizeof victim);
    // events.jsonl -> a file outside: the append is refused, the file untouched.
    snprintf(p, sizeof p, "%s/%s", dir, RUN_EVENTS);
    CHECK(symlink(victim, p) == 0);
    CHECK(run_event(dir, "start", NULL, &e) == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "is a symbolic link");
    CHECK(victim_intact(victim));
    // best.c -> outside: the write replaces the link with a file of the run.
    snprintf(p, sizeof p, "%s/%s", dir, RUN_BEST_C);
    CHECK(symlink(victim, p) == 0);
    CHECK(run_write_text(dir, RUN_BEST_C, "double compute_reward", &e) == ERR_OK);
    struct stat st;
    CHECK(lstat(p, &st) == 0 && S_ISREG(st.st_mode));
    CHECK(victim_intact(victim));
    // A folder on the way that is a link to elsewhere: nothing written through it.
    char out[RUN_PATH_MAX + 16];
    snprintf(out, sizeof out, "%s-outside", victim);
    CHECK(fs_mkdirs(out, &e) == ERR_OK);
    snprintf(p, sizeof p, "%s/iter01", dir);
    CHECK(symlink(out, p) == 0);
    CHECK(run_write_text(dir, "iter01/sample00/reward.c", "x", &e) == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "symbolic link");
    snprintf(p, sizeof p, "%s/sample00", out);
    CHECK(!fs_exists(p));
    // Reading through a link: refused, naming the file; /dev/zero behind a link included.
    snprintf(p, sizeof p, "%s/%s", dir, RUN_SETTINGS);
    CHECK(symlink("/dev/zero", p) == 0);
    CHECK(run_read_json(dir, RUN_SETTINGS, &e) == NULL && e.code == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "run.json is a symbolic link");
    CHECK(run_count_iters(dir) == 0);           // the linked iter01 is not an iteration
    // fs_write_atomic (also used outside runs) never writes through a link either.
    snprintf(p, sizeof p, "%s/link.txt", dir);
    CHECK(symlink(victim, p) == 0);
    CHECK(fs_write_atomic(p, "attack", 6, &e) == ERR_OK);
    CHECK(victim_intact(victim));
}

// Files that are not files: a FIFO (would block a plain open), a directory where a file
// belongs, a device.
static void test_not_files(void) {
    err_info e = {0};
    char dir[RUN_PATH_MAX], victim[RUN_PATH_MAX], p[RUN_PATH_MAX + 64];
    tampered("notfiles", dir, sizeof dir, victim, sizeof victim);
    CHECK(run_write_text(dir, "iter01/sample00/response.md", "x", &e) == ERR_OK);
    snprintf(p, sizeof p, "%s/iter01/sample00/%s", dir, RUN_STATUS);
    CHECK(mkfifo(p, 0600) == 0);
    run_status st;
    CHECK(run_read_status(dir, 1, 0, &st, &e) == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "status.json is a FIFO, not a regular file");
    snprintf(p, sizeof p, "%s/%s", dir, RUN_EVENTS);
    CHECK(mkfifo(p, 0600) == 0);
    CHECK(run_event(dir, "start", NULL, &e) == ERR_IO);     // no reader: no hang either
    snprintf(p, sizeof p, "%s/%s", dir, RUN_SUMMARY);
    CHECK(mkdir(p, 0755) == 0);
    CHECK(run_read_json(dir, RUN_SUMMARY, &e) == NULL && e.code == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "summary.json is a directory, not a regular file");
    CHECK(run_write_text(dir, RUN_SUMMARY, "{}", &e) == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "is a directory where a file belongs");
    CHECK(fs_read("/dev/null", 100, NULL, &e) == NULL && e.code == ERR_IO);
    CHECK_STR_CONTAINS(e.msg, "a character device");
}

// Every file has a cap, checked by its size before it is read, and named when exceeded.
static void test_caps(void) {
    err_info e = {0};
    char dir[RUN_PATH_MAX], victim[RUN_PATH_MAX], p[RUN_PATH_MAX + 64];
    tampered("caps", dir, sizeof dir, victim, sizeof victim);
    snprintf(p, sizeof p, "%s/%s", dir, RUN_SETTINGS);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0 && ftruncate(fd, 60 << 20) == 0);     // a sparse 60 MB run.json
    close(fd);
    CHECK(run_read_json(dir, RUN_SETTINGS, &e) == NULL && e.code == ERR_LIMIT);
    CHECK_STR_CONTAINS(e.msg, "run.json: 62914560 bytes, over the 1 MiB cap for this file");
    CHECK(run_cap("iter01/sample02/status.json") == 64u << 10);
    CHECK(run_cap("iter01/responses-a0.json") == 64u << 20);
    CHECK(run_cap("eval/seed01/train.json") == 32u << 20);
}

// Records that cannot be trusted are errors naming the file, never used as they are.
static void test_forged_status(void) {
    err_info e = {0};
    char dir[RUN_PATH_MAX], victim[RUN_PATH_MAX];
    tampered("forged", dir, sizeof dir, victim, sizeof victim);
    run_status st;
    const char *bad[] = {"[]", "{\"status\":\"ok\"}", "{\"status\":\"ok\",\"fitness\":\"high\"}",
                         "{\"status\":\"\\u001b[2J\"}", "{\"status\":42}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(run_write_text(dir, "iter01/sample00/status.json", bad[i], &e) == ERR_OK);
        CHECK_MSG(run_read_status(dir, 1, 0, &st, &e) == ERR_PARSE, "%s", bad[i]);
        CHECK_STR_CONTAINS(e.msg, "iter01/sample00/status.json");
    }
    CHECK(run_write_text(dir, "iter01/sample00/status.json",
                         "{\"status\":\"compile_error\",\"message\":\"x\\u001b]0;t\\u0007\"}", &e) == ERR_OK);
    CHECK(run_read_status(dir, 1, 0, &st, &e) == ERR_OK && !st.ok);
    CHECK(strcmp(st.message, "x\\x1b]0;t\\x07") == 0);       // sanitised for screen and LLM
    CHECK(run_write_text(dir, "iter01/sample00/status.json",
                         "{\"status\":\"ok\",\"fitness\":0.5,\"unstable_episodes\":1e300}", &e) == ERR_OK);
    CHECK(run_read_status(dir, 1, 0, &st, &e) == ERR_OK && st.ok && st.fitness == 0.5 && st.unstable == 0);
}

// A thousand folders named like iterations: only iter00..iter99 count, memory stays flat.
static void test_many_folders(void) {
    err_info e = {0};
    char dir[RUN_PATH_MAX], victim[RUN_PATH_MAX], p[RUN_PATH_MAX + 64];
    tampered("many", dir, sizeof dir, victim, sizeof victim);
    int made = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(p, sizeof p, "%s/iter%d", dir, i);
        made += mkdir(p, 0755) == 0;
    }
    CHECK(made == 1000);
    snprintf(p, sizeof p, "%s/iter42/sample999", dir);
    CHECK(mkdir(p, 0755) == 0);
    snprintf(p, sizeof p, "%s/iter42/sample07", dir);
    CHECK(mkdir(p, 0755) == 0);
    CHECK(run_count_iters(dir) == 99);
    CHECK(run_count_samples(dir, 42) == 8);
    CHECK(run_count_samples(dir, 7) == 0);
    char rel[64];
    CHECK(run_sample_rel(rel, sizeof rel, 100, 0, NULL, &e) == ERR_INTERNAL);
}

// Repeated rewards: the first earlier candidate with the same text, in run order; a
// missing reward.c and a link are no reward (links are never followed).
static void test_repeats(void) {
    err_info e;
    char dir[RUN_PATH_MAX], rel[128], p[RUN_PATH_MAX + 256], name[32];
    snprintf(dir, sizeof dir, "%s/rep", tmp);
    CHECK(mkdir(dir, 0755) == 0);
    // The same reward up to comments and layout repeats; other tokens ("x--y") do not.
    const char *code[][3] = {{"A", "x - -y", NULL}, {"x - -y\n", "C", "/* again */ A"}, {"x  - -y", "link", "x--y"}};
    for (int it = 1; it <= 3; it++)
        for (int s = 0; s < 3; s++) {
            run_sample_rel(rel, sizeof rel, it, s, NULL, NULL);
            snprintf(p, sizeof p, "%s/iter%02d", dir, it);
            mkdir(p, 0755);
            snprintf(p, sizeof p, "%s/%s", dir, rel);
            CHECK(mkdir(p, 0755) == 0);
            const char *c = code[it - 1][s];
            run_sample_rel(rel, sizeof rel, it, s, RUN_REWARD, NULL);
            if (c && strcmp(c, "link") == 0) {
                snprintf(p, sizeof p, "%s/%s", dir, rel);
                char target[RUN_PATH_MAX + 256];
                snprintf(target, sizeof target, "%s/iter01/sample00/reward.c", dir);
                CHECK(symlink(target, p) == 0);
            } else if (c) {
                CHECK(run_write_text(dir, rel, c, &e) == ERR_OK);
            }
        }
    repeats *r = repeats_scan(dir);
    CHECK(r != NULL);
    CHECK(!repeats_of(r, 1, 0, name, sizeof name) && !repeats_of(r, 1, 1, name, sizeof name));
    CHECK(!repeats_of(r, 1, 2, name, sizeof name) && repeats_code(r, 1, 2) == NULL);  // no reward.c
    CHECK(repeats_of(r, 2, 0, name, sizeof name) && strcmp(name, "iter01/sample01") == 0);
    CHECK(!repeats_of(r, 2, 1, name, sizeof name));
    CHECK(repeats_of(r, 2, 2, name, sizeof name) && strcmp(name, "iter01/sample00") == 0);
    CHECK(repeats_of(r, 3, 0, name, sizeof name) && strcmp(name, "iter01/sample01") == 0);  // the first, not iter02's
    CHECK(!repeats_of(r, 3, 1, name, sizeof name) && repeats_code(r, 3, 1) == NULL);  // a link
    CHECK(!repeats_of(r, 3, 2, name, sizeof name));                                  // "x--y" is not "x - -y"
    CHECK(strcmp(repeats_code(r, 2, 2), "/* again */ A") == 0);                       // the text as written
    CHECK(strcmp(repeats_code(r, 2, 1), "C") == 0);
    CHECK(!repeats_of(r, 9, 0, name, sizeof name) && repeats_code(r, 9, 0) == NULL);  // no such candidate
    repeats_free(r);
    CHECK(!repeats_of(NULL, 1, 0, name, sizeof name));   // a failed scan marks nothing
}

int main(void) {
    if (!mkdtemp(tmp)) { perror("mkdtemp"); return 1; }
    TEST_RUN(test_create_and_files);
    TEST_RUN(test_default_name);
    TEST_RUN(test_events);
    TEST_RUN(test_refs);
    TEST_RUN(test_links);
    TEST_RUN(test_not_files);
    TEST_RUN(test_caps);
    TEST_RUN(test_forged_status);
    TEST_RUN(test_many_folders);
    TEST_RUN(test_repeats);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    TEST_END();
}
