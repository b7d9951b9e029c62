// test_offline.c: the offline backend (a seeded reward-program mutator, not a language
// model). Its replies must read like a model's (prose + one ```c block), say what they
// are, be deterministic in (seed, request, sample), apply exactly one mutation to the
// previous best, and always compile with the real reward compiler against the real
// task headers, through many generations, for every task that has components.txt.
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reward/extract.h"
#include "util/fs.h"
#include "llm/llm.h"
#include "reward/rcomp.h"
#include "testlib.h"

#define DATA EUREKA_TEST_DATA "/llm/"

static const char *SYS = "You write reward functions in C.";
static const char *USER = "Task: keep the pole upright.";

static llm_client *offline(const char *task, uint64_t seed) {
    llm_opts o;
    llm_opts_default(&o);
    o.backend = "offline";
    o.task = task;
    o.seed = seed;
    err_info e = {0};
    llm_client *c = llm_new(&o, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    return c;
}

static int count_terms(const char *code) {
    int n = 0;
    for (const char *p = code; (p = strstr(p, "term(t, \"")); p++) n++;
    return n;
}

// Compile reply's code against env_h; returns 1 when it compiles.
static int compiles(const char *env_h, const char *reply, char *why, size_t n) {
    err_info e = {0};
    char *code = extract_code(reply, &e);
    if (!code) { snprintf(why, n, "extract: %s", e.msg); return 0; }
    rcomp *rc = rcomp_new(rcomp_prelude(NULL), env_h, code, &e);
    if (!rc) snprintf(why, n, "%s\n--- code:\n%s", e.msg, code);
    int ok = rc != NULL;
    rcomp_free(rc);
    free(code);
    return ok;
}

static void test_first_iteration(void) {
    llm_client *c = offline(DATA "offline_task", 7);
    if (!c) return;
    CHECK(strcmp(llm_backend(c), "offline") == 0 && strcmp(llm_model(c), "offline") == 0);
    char *env_h = fs_read(DATA "offline_task/env.h", 1 << 16, NULL, NULL);
    llm_msg m[] = {{"system", SYS}, {"user", USER}};
    llm_reply *r = NULL;
    int n = 0;
    err_info e = {0};
    CHECK_MSG(llm_sample(c, m, 2, 8, &r, &n, &e) == ERR_OK, "%s", e.msg);
    CHECK(n == 8);
    for (int i = 0; i < n; i++) {
        CHECK(strncmp(r[i].text, "[eureka offline mutator", 23) == 0);
        CHECK_STR_CONTAINS(r[i].text, "not a language model");
        CHECK_STR_CONTAINS(r[i].text, "random program of");
        char why[4096] = "";
        CHECK_MSG(compiles(env_h, r[i].text, why, sizeof why), "%s", why);
        char *code = extract_code(r[i].text, NULL);
        int t = code ? count_terms(code) : 0;
        CHECK_MSG(t >= 2 && t <= 4, "%d terms", t);
        free(code);
        CHECK(r[i].prompt_tokens == 0 && r[i].completion_tokens == 0);
        CHECK(strcmp(r[i].finish, "stop") == 0 && !r[i].truncated);
    }
    llm_usage u = llm_get_usage(c);
    CHECK(u.requests == 0 && u.prompt_tokens == 0 && u.completion_tokens == 0);
    llm_replies_free(r, n);
    llm_free(c);
    free(env_h);
}

static void test_deterministic(void) {
    llm_msg m[] = {{"system", SYS}, {"user", USER}};
    char *a[3][6];
    for (int run = 0; run < 3; run++) {
        llm_client *c = offline(DATA "offline_task", run == 2 ? 8 : 7);
        if (!c) return;
        llm_reply *r = NULL;
        int n = 0;
        CHECK(llm_sample(c, m, 2, 6, &r, &n, NULL) == ERR_OK && n == 6);
        for (int i = 0; i < 6; i++) a[run][i] = strdup(i < n ? r[i].text : "");
        llm_replies_free(r, n);
        llm_free(c);
    }
    int same = 1, differ_seed = 0, differ_sample = 0;
    for (int i = 0; i < 6; i++) {
        same &= strcmp(a[0][i], a[1][i]) == 0;
        differ_seed |= strcmp(a[0][i], a[2][i]) != 0;
        if (i) differ_sample |= strcmp(a[0][i], a[0][0]) != 0;
    }
    CHECK(same);            // same seed, same request: the same replies
    CHECK(differ_seed);     // another seed: other programs
    CHECK(differ_sample);   // samples of one request differ
    for (int run = 0; run < 3; run++)
        for (int i = 0; i < 6; i++) free(a[run][i]);
}

// Term lines of code, one string each (for comparing parent and child).
static int term_lines(const char *code, char lines[][512], int max) {
    int n = 0;
    const char *p = code;
    while (*p && n < max) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (memmem(p, len, "+= term(", 8)) {
            snprintf(lines[n], 512, "%.*s", (int)len, p);
            n++;
        }
        p = nl ? nl + 1 : p + len;
    }
    return n;
}

// One mutation: the child differs from the parent in exactly one term line (changed,
// added or removed), and everything else is kept.
static int one_mutation(const char *parent, const char *child) {
    char a[32][512], b[32][512];
    int na = term_lines(parent, a, 32), nb = term_lines(child, b, 32);
    int same = 0;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < nb; j++)
            if (strcmp(a[i], b[j]) == 0) { same++; break; }
    if (nb == na) return same == na - 1;
    if (nb == na + 1) return same == na;
    if (nb == na - 1) return same == nb;
    return 0;
}

static void test_mutates_parent(void) {
    char *parent_code = fs_read(EUREKA_ROOT "/rewards/cartpole_human.c", 1 << 16, NULL, NULL);
    char *env_h = fs_read(DATA "offline_task/env.h", 1 << 16, NULL, NULL);
    CHECK(parent_code && env_h);
    if (!parent_code || !env_h) return;
    size_t n = strlen(parent_code) + 64;
    char *reply = malloc(n);
    snprintf(reply, n, "Here it is.\n\n```c\n%s```\n", parent_code);
    llm_msg m[] = {{"system", SYS}, {"user", USER}, {"assistant", reply},
                   {"user", "upright: ['0.9', ...], Max: 1.0 ... please improve"}};
    llm_client *c = offline(DATA "offline_task", 1);
    llm_reply *r = NULL;
    int k = 0;
    err_info e = {0};
    CHECK_MSG(llm_sample(c, m, 4, 32, &r, &k, &e) == ERR_OK, "%s", e.msg);
    int kinds[4] = {0};
    for (int i = 0; i < k; i++) {
        char why[4096] = "";
        CHECK_MSG(compiles(env_h, r[i].text, why, sizeof why), "%s", why);
        char *code = extract_code(r[i].text, NULL);
        CHECK_MSG(code && one_mutation(parent_code, code), "not one mutation:\n%s", r[i].text);
        // The parent's other lines (locals, return) are kept.
        CHECK_STR_CONTAINS(code, "return r;");
        free(code);
        kinds[0] |= strstr(r[i].text, "Mutation: rescaled") != NULL;
        kinds[1] |= strstr(r[i].text, "Mutation: changed the form") != NULL ||
                    strstr(r[i].text, "Mutation: clipped") != NULL;
        kinds[2] |= strstr(r[i].text, "Mutation: added the term") != NULL;
        kinds[3] |= strstr(r[i].text, "Mutation: dropped the term") != NULL;
    }
    CHECK_MSG(kinds[0] && kinds[1] && kinds[2] && kinds[3], "kinds seen: %d %d %d %d",
              kinds[0], kinds[1], kinds[2], kinds[3]);
    llm_replies_free(r, k);
    llm_free(c);
    free(reply);
    free(parent_code);
    free(env_h);
}

// Many generations on every real task: each child becomes the next parent.
static void test_generations_compile(void) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tasks", EUREKA_ROOT);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int tasks = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        char comp[4400], envp[4400];
        if (de->d_name[0] == '.') continue;
        snprintf(comp, sizeof comp, "%s/%s/components.txt", dir, de->d_name);
        snprintf(envp, sizeof envp, "%s/%s/env.h", dir, de->d_name);
        if (!fs_exists(comp) || !fs_exists(envp)) continue;
        tasks++;
        char *env_h = fs_read(envp, 1 << 16, NULL, NULL);
        llm_client *c = offline(de->d_name, 42);
        char *best = NULL;
        int failures = 0, total = 0;
        for (int gen = 0; gen < 25 && c; gen++) {
            llm_msg m[4] = {{"system", SYS}, {"user", USER}, {"assistant", best},
                            {"user", "feedback"}};
            llm_reply *r = NULL;
            int n = 0;
            err_info e = {0};
            if (llm_sample(c, m, best ? 4 : 2, 4, &r, &n, &e) != ERR_OK) {
                CHECK_MSG(0, "%s: %s", de->d_name, e.msg);
                break;
            }
            for (int i = 0; i < n; i++) {
                char why[4096] = "";
                total++;
                if (!compiles(env_h, r[i].text, why, sizeof why)) {
                    failures++;
                    fprintf(stderr, "%s gen %d sample %d: %s\n", de->d_name, gen, i, why);
                }
            }
            // Walk on: the next parent is one of the children, as a search would pick.
            free(best);
            best = strdup(r[gen % n].text);
            llm_replies_free(r, n);
        }
        CHECK_MSG(failures == 0, "%s: %d of %d programs did not compile", de->d_name,
                  failures, total);
        CHECK(total == 100);
        free(best);
        llm_free(c);
        free(env_h);
    }
    closedir(d);
    CHECK(tasks >= 2);      // cartpole and reorient at least
}

static void test_errors(void) {
    // No parent and no components: nothing to start from, and the message says why.
    llm_client *c = offline("/nonexistent-task-dir", 1);
    llm_msg m[] = {{"user", USER}};
    llm_reply *r = NULL;
    int n = 0;
    err_info e = {0};
    CHECK(llm_sample(c, m, 1, 2, &r, &n, &e) != ERR_OK && n == 0);
    CHECK_STR_CONTAINS(e.msg, "components");
    // A parent in a layout the mutator does not know: a fresh random program instead,
    // and with no components that is an error too; with components it works.
    llm_free(c);
    c = offline(DATA "offline_task", 1);
    llm_msg m2[] = {{"user", USER}, {"assistant", "```c\ndouble compute_reward(const env_state "
                    "*s, reward_terms *t) { return term(t, \"x\", 1.0); }\n```\n"}, {"user", "f"}};
    CHECK(llm_sample(c, m2, 3, 1, &r, &n, &e) == ERR_OK && n == 1);
    if (n == 1) CHECK_STR_CONTAINS(r[0].text, "random program of");
    llm_replies_free(r, n);
    llm_free(c);
    // A component too long for the mutator: the message names the file, the line (blank
    // lines counted), the component and the limit; a malformed line names its line too.
    char dir[] = "/tmp/eureka-offline-XXXXXX", path[512];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/components.txt", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "# long\n\nok: 1.0\nlong: 0.0");
    for (int k = 0; k < 200; k++) fputs(" + 1.0", f);
    fputc('\n', f);
    fclose(f);
    c = offline(dir, 1);
    CHECK(llm_sample(c, m, 1, 1, &r, &n, &e) != ERR_OK && n == 0);
    CHECK_STR_CONTAINS(e.msg, "components.txt:4: component 'long' is 1203 characters long: "
                       "shorten its expression to at most 600");
    llm_free(c);
    f = fopen(path, "w");
    fputs("ok: 1.0\n2bad: 1.0\n", f);
    fclose(f);
    c = offline(dir, 1);
    CHECK(llm_sample(c, m, 1, 1, &r, &n, &e) != ERR_OK && n == 0);
    CHECK_STR_CONTAINS(e.msg, "components.txt:2: a line is not `name: C expression`");
    llm_free(c);
    remove(path);
    rmdir(dir);
}

int main(void) {
    TEST_RUN(test_first_iteration);
    TEST_RUN(test_deterministic);
    TEST_RUN(test_mutates_parent);
    TEST_RUN(test_generations_compile);
    TEST_RUN(test_errors);
    TEST_END();
}
