// test_extract.c: reward code out of LLM replies. Each fixture in tests/data/replies/
// starts with "<!-- expect: ok | TEXT -->" (the extracted code contains TEXT) or
// "<!-- expect: error | TEXT -->" (the error message contains TEXT).
#include <dirent.h>
#include <stdlib.h>

#include "reward/extract.h"
#include "util/fs.h"
#include "testlib.h"

static void test_fixtures(void) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/replies", EUREKA_TEST_DATA);
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 4 || strcmp(de->d_name + l - 3, ".md") != 0) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        err_info e = {0};
        char *reply = fs_read(path, 1 << 20, NULL, &e);
        CHECK_MSG(reply != NULL, "%s: %s", path, e.msg);
        if (!reply) continue;
        char kind[16] = "", want[256] = "";
        const char *bar = strstr(reply, " | "), *endc = strstr(reply, " -->");
        CHECK_MSG(sscanf(reply, "<!-- expect: %15s", kind) == 1 && bar && endc && bar < endc,
                  "%s: no expect line", de->d_name);
        if (!bar || !endc || bar > endc) { free(reply); continue; }
        snprintf(want, sizeof want, "%.*s", (int)(endc - bar - 3), bar + 3);
        char *code = extract_code(reply, &e);
        if (strcmp(kind, "ok") == 0) {
            CHECK_MSG(code != NULL, "%s: %s", de->d_name, e.msg);
            if (code) {
                CHECK_MSG(strstr(code, want) != NULL, "%s: code lacks '%s'", de->d_name, want);
                CHECK_MSG(strchr(code, '\r') == NULL, "%s: CR left in the code", de->d_name);
                CHECK_MSG(strstr(code, "```") == NULL || strstr(code, "mentions ```"), "%s: fence in code", de->d_name);
            }
        } else {
            CHECK_MSG(code == NULL, "%s: expected an error, got code", de->d_name);
            CHECK_MSG(e.code == ERR_PARSE, "%s: code %d", de->d_name, e.code);
            CHECK_MSG(strstr(e.msg, want) != NULL, "%s: message '%s' lacks '%s'", de->d_name, e.msg, want);
            CHECK(strchr(e.msg, '\n') == NULL);
        }
        free(code);
        free(reply);
        n++;
    }
    closedir(d);
    CHECK(n >= 12);
}

static void test_edges(void) {
    err_info e;
    CHECK(extract_code(NULL, &e) == NULL && e.code == ERR_PARSE);
    CHECK(extract_code("", &e) == NULL);
    CHECK_STR_CONTAINS(e.msg, "no fenced C code block");
    // The last block defining compute_reward wins over an earlier one.
    char *c = extract_code("```c\ndouble compute_reward(const env_state *s, reward_terms *t) { return 1; }\n```\n"
                           "```c\ndouble compute_reward(const env_state *s, reward_terms *t) { return 2; }\n```\n", &e);
    CHECK(c && strstr(c, "return 2"));
    free(c);
    // A prototype alone is not a definition.
    c = extract_code("```c\ndouble compute_reward(const env_state *s, reward_terms *t);\n```\n", &e);
    CHECK(c == NULL);
    CHECK_STR_CONTAINS(e.msg, "defines compute_reward");
    // Indented fence (inside a list item) still counts; exact code kept.
    c = extract_code("1. Code:\n   ```c\ndouble compute_reward(const env_state *s, reward_terms *t) {\n  return 0;\n}\n   ```\n", &e);
    CHECK(c && strcmp(c, "double compute_reward(const env_state *s, reward_terms *t) {\n  return 0;\n}\n") == 0);
    free(c);
    // Lone CR line ends.
    c = extract_code("```c\rdouble compute_reward(const env_state *s, reward_terms *t) { return 3; }\r```\r", &e);
    CHECK(c && strstr(c, "return 3") && !strchr(c, '\r'));
    free(c);
}

// A hostile reply: 16 MiB of "compute_reward(" never closed, then a real definition.
// The old scan matched parentheses from every occurrence to the end of the text (1 MiB
// took 11 s; 16 MiB would take about an hour and time out ctest); one pass takes well
// under a second. Not a timing assertion: the suite's time limit is the bound.
static void test_linear(void) {
    const char head[] = "```c\n", tail[] = "\ndouble compute_reward(const env_state *s, reward_terms *t) "
                                           "{ return 1.0; }\n```\n";
    const char unit[] = "compute_reward(";
    size_t reps = (16u << 20) / (sizeof unit - 1), n = 0;
    char *r = malloc(sizeof head + reps * (sizeof unit - 1) + sizeof tail);
    memcpy(r, head, sizeof head - 1);
    n = sizeof head - 1;
    for (size_t i = 0; i < reps; i++, n += sizeof unit - 1) memcpy(r + n, unit, sizeof unit - 1);
    memcpy(r + n, tail, sizeof tail);
    err_info e = {0};
    char *code = extract_code(r, &e);
    CHECK_MSG(code != NULL, "%s", e.msg);
    CHECK(code && strstr(code, "{ return 1.0; }") != NULL);
    free(code);
    free(r);
    // Many complete "compute_reward()" calls, then the definition: found, in one pass.
    const char call[] = "x = compute_reward(a, b);\n";
    reps = (8u << 20) / (sizeof call - 1);
    r = malloc(sizeof head + reps * (sizeof call - 1) + sizeof tail);
    memcpy(r, head, sizeof head - 1);
    n = sizeof head - 1;
    for (size_t i = 0; i < reps; i++, n += sizeof call - 1) memcpy(r + n, call, sizeof call - 1);
    memcpy(r + n, tail, sizeof tail);
    code = extract_code(r, &e);
    CHECK_MSG(code != NULL, "%s", e.msg);
    CHECK(code && strstr(code, "{ return 1.0; }") != NULL);
    free(code);
    free(r);
}

int main(void) {
    TEST_RUN(test_fixtures);
    TEST_RUN(test_edges);
    TEST_RUN(test_linear);
    TEST_END();
}
