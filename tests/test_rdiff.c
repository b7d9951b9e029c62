// test_rdiff.c: the line diff and the label of each kind of edit (EUREKA Figure 3).
#include <stdlib.h>

#include "search/rdiff.h"
#include "testlib.h"

static const char *BASE =
    "double compute_reward(const env_state *s, reward_terms *t) {\n"
    "    double up = term(t, \"upright\", cos(s->pole_angle));\n"
    "    double centre = term(t, \"centre\", -0.1 * fabs(s->cart_pos));\n"
    "    // keep the cart slow\n"
    "    double slow = term(t, \"slow\", -0.01 * s->cart_vel * s->cart_vel);\n"
    "    return up + centre + slow;\n"
    "}\n";

static rdiff *diff(const char *a, const char *b) {
    err_info e;
    rdiff *d = rdiff_new(a, b, 3, &e);
    CHECK_MSG(d != NULL, "%s", e.msg);
    return d;
}

// Replace the first occurrence of from with to in BASE.
static char *edit(const char *from, const char *to) {
    const char *at = strstr(BASE, from);
    if (!at) return NULL;
    size_t n = strlen(BASE) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - BASE), BASE, to, at + strlen(from));
    return out;
}

static void test_equal(void) {
    rdiff *d = diff(BASE, BASE);
    CHECK(d && d->n == 0);
    char *s = rdiff_format(d, "a", "b");
    CHECK(s && *s == '\0');
    free(s);
    rdiff_free(d);
}

static void test_constant(void) {
    char *b = edit("-0.1 * fabs", "-0.25 * fabs");
    rdiff *d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == RDIFF_CONSTANT);
    char *s = rdiff_format(d, "iter01/sample00/reward.c", "iter02/sample01/reward.c");
    CHECK_STR_CONTAINS(s, "--- iter01/sample00/reward.c\n+++ iter02/sample01/reward.c\n");
    CHECK_STR_CONTAINS(s, "@@ -1,6 +1,6 @@ constant changed (hyperparameter)\n");
    CHECK_STR_CONTAINS(s, "\n-    double centre = term(t, \"centre\", -0.1 * fabs(s->cart_pos));\n");
    CHECK_STR_CONTAINS(s, "\n+    double centre = term(t, \"centre\", -0.25 * fabs(s->cart_pos));\n");
    free(s);
    rdiff_free(d);
    free(b);
    // exponent notation and suffixes are numbers too
    b = edit("-0.01 *", "-1e-3f *");
    d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == RDIFF_CONSTANT);
    rdiff_free(d);
    free(b);
}

static void test_form(void) {
    char *b = edit("cos(s->pole_angle)", "exp(-fabs(s->pole_angle) / 0.5)");
    rdiff *d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == RDIFF_FORM);
    char label[256];
    CHECK(d && strcmp(rdiff_label(&d->hunks[0], label, sizeof label), "functional form changed") == 0);
    rdiff_free(d);
    free(b);
}

static void test_mixed_hunk(void) {
    // Two adjacent lines: one changes shape, the other only a number.
    char *b1 = edit("cos(s->pole_angle)", "exp(-fabs(s->pole_angle))");
    const char *at = strstr(b1, "-0.1 * fabs");
    char *b = malloc(strlen(b1) + 8);
    snprintf(b, strlen(b1) + 8, "%.*s-0.3%s", (int)(at - b1), b1, at + 4);
    rdiff *d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == (RDIFF_FORM | RDIFF_CONSTANT));
    // ... and with a term added next to them, all three labels.
    char *c = malloc(strlen(b) + 128);
    const char *ret = strstr(b, "    return");
    snprintf(c, strlen(b) + 128, "%.*s    double k = term(t, \"k\", 1.0);\n%s", (int)(ret - b), b, ret);
    rdiff_free(d);
    d = diff(BASE, c);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == (RDIFF_FORM | RDIFF_CONSTANT | RDIFF_TERM_ADDED));
    rdiff_free(d);
    free(b1); free(b); free(c);
}

static void test_term_added(void) {
    char *b = edit("    return up + centre + slow;\n",
                   "    double still = term(t, \"still\", -0.05 * fabs(s->pole_angvel));\n"
                   "    return up + centre + slow + still;\n");
    rdiff *d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == RDIFF_TERM_ADDED);
    CHECK(d && strcmp(d->hunks[0].terms_added, "still") == 0);
    char *s = rdiff_format(d, "a", "b");
    CHECK_STR_CONTAINS(s, "@@ term added: still\n");
    free(s);
    rdiff_free(d);
    free(b);
}

static void test_term_removed(void) {
    char *b = edit("    double slow = term(t, \"slow\", -0.01 * s->cart_vel * s->cart_vel);\n"
                   "    return up + centre + slow;\n",
                   "    return up + centre;\n");
    rdiff *d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == RDIFF_TERM_REMOVED);
    CHECK(d && strcmp(d->hunks[0].terms_removed, "slow") == 0);
    rdiff_free(d);
    free(b);
}

static void test_renamed_is_add_and_remove(void) {
    char *b = edit("\"slow\"", "\"calm\"");
    rdiff *d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == (RDIFF_TERM_ADDED | RDIFF_TERM_REMOVED));
    rdiff_free(d);
    free(b);
}

static void test_layout_and_comments(void) {
    char *b = edit("    // keep the cart slow\n", "    // keep the cart slow (it tips over otherwise)\n");
    rdiff *d = diff(BASE, b);
    CHECK(d && d->n == 1 && d->hunks[0].kinds == RDIFF_LAYOUT);
    rdiff_free(d);
    free(b);
}

static void test_two_hunks_and_ranges(void) {
    // Two edits far apart in a long file make two hunks with correct line numbers.
    char a[8192] = "", b[8192] = "";
    for (int i = 1; i <= 30; i++) {
        char la[64], lb[64];
        snprintf(la, sizeof la, "    x%d = %d.0;\n", i, i);
        snprintf(lb, sizeof lb, "    x%d = %d.0;\n", i, i == 5 ? 50 : i);
        strcat(a, la);
        if (i == 25) strcat(b, "    y = sqrt(x1);\n");
        else strcat(b, lb);
    }
    rdiff *d = diff(a, b);
    CHECK(d && d->n == 2);
    if (d && d->n == 2) {
        CHECK(d->hunks[0].a_start == 2 && d->hunks[0].a_len == 7 && d->hunks[0].b_len == 7);
        CHECK(d->hunks[0].kinds == RDIFF_CONSTANT);
        CHECK(d->hunks[1].a_start == 22 && d->hunks[1].kinds == RDIFF_FORM);
    }
    rdiff_free(d);
    // Pure insertion at the top: the empty side names line 0.
    d = diff("a\nb\n", "new\na\nb\n");
    CHECK(d && d->n == 1 && d->hunks[0].a_start == 1 && d->hunks[0].a_len == 2 &&
          d->hunks[0].b_start == 1 && d->hunks[0].b_len == 3);
    rdiff_free(d);
    d = diff("", "x\n");
    CHECK(d && d->n == 1 && d->hunks[0].a_start == 0 && d->hunks[0].a_len == 0);
    rdiff_free(d);
}

static void test_normalise(void) {
    char *s = rdiff_normalise("a = 1.5e-3 * x2 + 0x1F - .5f; // 7\n b=\"n1\"");
    CHECK(s && strcmp(s, "a=#*x2+#-#;b=\"n1\"") == 0);
    free(s);
}

// The tokens: comments and layout go, a space stays between two words or two operators,
// strings are kept as written.
static void test_tokens(void) {
    const char *same[][2] = {
        {"float r = 1.5 * x; // why\n", "float r=1.5*x;"},
        {"a - -b", "a /* c */ -\n\t-b"},
        {"term(t, \"tip dist\", d);", "term ( t , \"tip dist\" , d ) ;"},
    };
    const char *other[][2] = {
        {"a - -b", "a--b"}, {"int x", "intx"}, {"\"tip dist\"", "\"tip  dist\""}, {"x = 1.0", "x = 1.0f"},
    };
    for (int i = 0; i < 3; i++) {
        char *a = rdiff_tokens(same[i][0]), *b = rdiff_tokens(same[i][1]);
        CHECK_MSG(a && b && strcmp(a, b) == 0, "%s | %s", a, b);
        free(a);
        free(b);
    }
    for (int i = 0; i < 4; i++) {
        char *a = rdiff_tokens(other[i][0]), *b = rdiff_tokens(other[i][1]);
        CHECK_MSG(a && b && strcmp(a, b) != 0, "%s | %s", a, b);
        free(a);
        free(b);
    }
    char *t = rdiff_tokens("  int  x = a - -b ; /* end */\n");
    CHECK(t && strcmp(t, "int x=a- -b;") == 0);
    free(t);
}

static void test_crlf_and_json(void) {
    rdiff *d = diff("a\r\nb\r\n", "a\nb\n");
    CHECK(d && d->n == 0);
    rdiff_free(d);
    char *b = edit("-0.1 * fabs", "-0.2 * fabs");
    d = diff(BASE, b);
    cJSON *j = rdiff_json(d, "x", "y");
    cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hunks"), 0);
    CHECK(h && strcmp(cJSON_GetArrayItem(cJSON_GetObjectItem(h, "labels"), 0)->valuestring,
                      "constant_changed") == 0);
    cJSON_Delete(j);
    rdiff_free(d);
    free(b);
}

int main(void) {
    TEST_RUN(test_equal);
    TEST_RUN(test_constant);
    TEST_RUN(test_form);
    TEST_RUN(test_mixed_hunk);
    TEST_RUN(test_term_added);
    TEST_RUN(test_term_removed);
    TEST_RUN(test_renamed_is_add_and_remove);
    TEST_RUN(test_layout_and_comments);
    TEST_RUN(test_two_hunks_and_ranges);
    TEST_RUN(test_normalise);
    TEST_RUN(test_tokens);
    TEST_RUN(test_crlf_and_json);
    TEST_END();
}
