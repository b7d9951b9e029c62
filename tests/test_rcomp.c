// test_rcomp.c: the reward compiler: lexical rejection with the candidate's own line
// numbers, the symbol allow-list, signature checking, diagnostics, the read-only image,
// and speed (rcomp_new runs once per candidate). Generated code is only called here
// when it is known-good; hostile code runs in test_sandbox.
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "util/fs.h"
#include "reward/rcomp.h"
#include "task/task.h"
#include "testlib.h"

static char *env_h;

typedef struct cart { double cart_pos, cart_vel, pole_angle, pole_angvel, action[1]; int step; } cart;

static void expect_reject(const char *src, const char *want) {
    err_info e = {0};
    rcomp *c = rcomp_new(rcomp_prelude(NULL), env_h, src, &e);
    CHECK_MSG(c == NULL, "accepted: %s", src);
    CHECK_MSG(e.code == ERR_COMPILE, "code %d for: %s", e.code, src);
    CHECK_MSG(strstr(e.msg, want) != NULL, "'%s' lacks '%s'", e.msg, want);
    CHECK(strchr(e.msg, '\n') == NULL);
    rcomp_free(c);
}

static void test_good(void) {
    err_info e = {0};
    const char *src =
        "// comment with #include and asm in it: fine\n"
        "static const double K = 2.0;\n"
        "double compute_reward(const env_state *s, reward_terms *t) {\n"
        "    double q[4] = {1, 0, 0, 0};\n"
        "    double a = term(t, \"angle\", -fabs(s->pole_angle) * K);\n"
        "    double b = term(t, \"quat\", quat_angle(q, q));\n"
        "    return a + b + term(t, \"pw\", pow(2.0, 3.0)) + clamp(s->cart_pos, -1, 1);\n"
        "}\n";
    rcomp *c = rcomp_new(rcomp_prelude(NULL), env_h, src, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c) return;
    cart st = {0.5, 0, -0.25, 0, {0}, 3};
    reward_terms t;
    reward_terms_clear(&t);
    double r = rcomp_fn(c)(&st, &t);
    CHECK(t.n == 3 && strcmp(t.name[0], "angle") == 0 && t.value[0] == -0.5);
    CHECK(fabs(t.value[1]) < 1e-12 && t.value[2] == 8.0);
    CHECK(fabs(r - (-0.5 + 0 + 8 + 0.5)) < 1e-12);
    rcomp_free(c);
    rcomp_free(NULL);
}

static void test_lexical(void) {
    const char *tail = "double compute_reward(const env_state *s, reward_terms *t) { return 0; }\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "\n\n#include \"/etc/passwd\"\n%s", tail);
    expect_reject(buf, "reward.c:3: #include is not allowed");
    snprintf(buf, sizeof buf, "  #  pragma once\n%s", tail);
    expect_reject(buf, "reward.c:1: #pragma is not allowed");
    snprintf(buf, sizeof buf, "_Pragma(\"x\")\n%s", tail);
    expect_reject(buf, "_Pragma");
    snprintf(buf, sizeof buf, "#line 5\n%s", tail);
    expect_reject(buf, "'#line'");
    snprintf(buf, sizeof buf, "# 12 \"x.c\"\n%s", tail);
    expect_reject(buf, "'#12'");
    snprintf(buf, sizeof buf, "#define asm 1\n%s", tail);
    expect_reject(buf, "'asm' is not allowed");
    snprintf(buf, sizeof buf, "#define X(a) a##sm\n%s", tail);
    expect_reject(buf, "token pasting");
    snprintf(buf, sizeof buf, "int n;\n%s", tail);
    expect_reject(buf, "reward.c:1: global variable 'n' is mutable");
    snprintf(buf, sizeof buf, "static double hist[10] = {0};\n%s", tail);
    expect_reject(buf, "global variable 'hist' is mutable");
    snprintf(buf, sizeof buf, "struct acc { int n; } acc_state;\n%s", tail);
    expect_reject(buf, "global variable 'acc_state'");
    expect_reject("double compute_reward(const env_state *s, reward_terms *t) {\n  if (1) {\n    static double m = 0;\n  }\n  return 0;\n}\n",
                  "reward.c:3: static local 'm'");
    expect_reject("double compute_reward(const env_state *s, reward_terms *t) { __builtin_trap(); return 0; }\n",
                  "'__builtin_trap' is not available");
    expect_reject("__attribute__((constructor)) static void f(void) {}\n", "__attribute__");
    expect_reject("", "empty");
    expect_reject("  \n\t\n", "empty");
    expect_reject("double compute_reward(const env_state *s, reward_terms *t) { return 0; } \x01\n", "byte 0x01");
    expect_reject("double compute_reward(const env_state *s, reward_terms *t) { return 0; } /* \xc3\xa9 */ \xc3\xa9\n",
                  "non-ASCII");
    expect_reject("/* open", "unterminated");
    // Allowed: types, prototypes, constants, const pointers, struct definitions.
    err_info e;
    CHECK_MSG(rcomp_lint("typedef struct { double a; } pair;\nstruct v { double x; };\nenum { A, B };\n"
                         "static double helper(double x);\nconst double *const p = 0;\n"
                         "static const pair P = {1.0};\n#define SQ(x) ((x)*(x))\n#if 1\n#endif\n"
                         "double compute_reward(const env_state *s, reward_terms *t) {\n"
                         "  static const double w[2] = {1, 2};\n  char *str = \"#include asm _Pragma\";\n"
                         "  return w[0] + SQ(2) + helper(1) + (str != 0);\n}\n"
                         "static double helper(double x) { return x; }\n", &e) == ERR_OK, "%s", e.msg);
    // Stringizing inside a macro continued over two lines is not a directive.
    CHECK_MSG(rcomp_lint("#define NAME(x) \\\n    #x\n#define TWO 2\n"
                         "double compute_reward(const env_state *s, reward_terms *t) { return term(t, NAME(a), TWO); }\n",
                         &e) == ERR_OK, "%s", e.msg);
    // NUL bytes are visible to rcomp_lint_n only.
    const char nul[] = "double compute_reward(const env_state *s, reward_terms *t) { return 0; }\n\0#include <x>\n";
    CHECK(rcomp_lint(nul, &e) == ERR_OK);
    CHECK(rcomp_lint_n(nul, sizeof nul - 1, &e) == ERR_COMPILE);
    CHECK_STR_CONTAINS(e.msg, "reward.c:2: contains a NUL byte");
    // Size cap.
    size_t big = RCOMP_MAX_SOURCE + 10;
    char *s = malloc(big + 1);
    memset(s, ' ', big);
    s[big] = '\0';
    memcpy(s, tail, strlen(tail));
    CHECK(rcomp_lint(s, &e) == ERR_COMPILE);
    CHECK_STR_CONTAINS(e.msg, "limit");
    free(s);
}

static void test_compile_errors(void) {
    expect_reject("int system(const char *);\n\ndouble compute_reward(const env_state *s, reward_terms *t) {\n"
                  "  return system(\"id\");\n}\n",
                  "reward.c:1: 'system' is not available to rewards (only the prelude's functions: see src/reward/prelude.h)");
    expect_reject("double compute_reward(const env_state *s, reward_terms *t) {\n  return getpid();\n}\n",
                  "reward.c:2: 'getpid' is not available to rewards");
    expect_reject("double compute_reward(const env_state *s, reward_terms *t) {\n  return s->nope;\n}\n",
                  "reward.c:2: field not found: nope");
    expect_reject("double compute_reward(env_state *s, reward_terms *t) { return 0; }\n",
                  "compute_reward must be: double compute_reward(const env_state *s, reward_terms *t)");
    expect_reject("int compute_reward(const env_state *s, reward_terms *t) { return 0; }\n", "compute_reward must be");
    expect_reject("double compute_rewards(const env_state *s, reward_terms *t) { return 0; }\n",
                  "defines no compute_reward");
    expect_reject("double compute_reward(const env_state *s, reward_terms *t) {\n\n  return 0\n}\n", "reward.c:4:");
    // The prelude's names bind; a libm function the prelude does not declare does not.
    expect_reject("double erf(double);\ndouble compute_reward(const env_state *s, reward_terms *t) { return erf(1); }\n",
                  "'erf' is not available");
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_speed(void) {
    char path[4096];
    err_info e;
    fs_path(path, sizeof path, &e, "%s/rewards/cartpole_human.c", fs_root());
    char *src = fs_read(path, RCOMP_MAX_SOURCE, NULL, &e);
    if (!src) src = strdup("double compute_reward(const env_state *s, reward_terms *t) { return term(t, \"x\", cos(s->pole_angle)); }\n");
    int n = 50;
    double t0 = now_s();
    int ok = 1;
    for (int i = 0; i < n; i++) {
        rcomp *c = rcomp_new(rcomp_prelude(NULL), env_h, src, &e);
        ok &= c != NULL;
        rcomp_free(c);
    }
    double per = (now_s() - t0) / n;
    CHECK_MSG(ok, "%s", e.msg);
    fprintf(stderr, "   rcomp_new: %.2f ms per compile (%d compiles)\n", per * 1e3, n);
    CHECK(per < 0.05);
    free(src);
}

static void test_prelude(void) {
    err_info e;
    const char *p = rcomp_prelude(&e);
    CHECK(p && strstr(p, "double term(reward_terms *t, const char *name, double value);"));
    CHECK(rcomp_prelude(&e) == p);  // read once
}

int main(void) {
    const task_def *t = task_find("cartpole");
    CHECK(t != NULL);
    char path[4096];
    err_info e;
    if (t) task_file(t, "env.h", path, sizeof path, &e);
    env_h = t ? fs_read(path, RCOMP_MAX_SOURCE, NULL, &e) : NULL;
    CHECK_MSG(env_h != NULL, "%s", e.msg);
    if (!env_h) TEST_END();
    TEST_RUN(test_prelude);
    TEST_RUN(test_good);
    TEST_RUN(test_lexical);
    TEST_RUN(test_compile_errors);
    TEST_RUN(test_speed);
    free(env_h);
    TEST_END();
}
