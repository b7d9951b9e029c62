// test_prompt.c: template rendering, errors naming file and placeholder, state fill,
// and the real prompts/ templates.
#include <stdlib.h>

#include "util/fs.h"
#include "search/prompt.h"
#include "testlib.h"

static void test_render(void) {
    err_info e;
    prompt_var v[] = {{"a", "X"}, {"b_2", "{{a}}"}};
    char *s = prompt_render_text("1{{a}}2{{b_2}}3{{a}}", "t.txt", v, 2, &e);
    CHECK(s && strcmp(s, "1X2{{a}}3X") == 0);   // values are not re-expanded
    free(s);
    s = prompt_render_text("no placeholders { } }}", "t.txt", NULL, 0, &e);
    CHECK(s && strcmp(s, "no placeholders { } }}") == 0);
    free(s);
    s = prompt_render_text("x {{missing}} y", "t.txt", v, 2, &e);
    CHECK(s == NULL && e.code == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "t.txt");
    CHECK_STR_CONTAINS(e.msg, "{{missing}}");
    s = prompt_render_text("line1\nline2 {{a", "u.txt", v, 2, &e);
    CHECK(s == NULL && e.code == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "u.txt:2");
    prompt_var nv[] = {{"a", NULL}};
    s = prompt_render_text("{{a}}", "t.txt", nv, 1, &e);
    CHECK(s == NULL);
}

static void test_missing_template(void) {
    err_info e;
    setenv("EUREKA_PROMPTS", "/nonexistent-dir", 1);
    char *s = prompt_render("system", NULL, 0, &e);
    CHECK(s == NULL && e.code == ERR_NOTFOUND);
    CHECK_STR_CONTAINS(e.msg, "/nonexistent-dir/system.txt");
    unsetenv("EUREKA_PROMPTS");
}

static void test_state_fill(void) {
    err_info e;
    const char *src = "int x;\nvoid f(void) {\n    // BEGIN STATE\n    s->a = 1;\n    s->b = 2;\n    // END STATE\n}\n";
    char *s = prompt_state_fill(src, "task.c", &e);
    CHECK(s && strcmp(s, "    s->a = 1;\n    s->b = 2;") == 0);
    free(s);
    s = prompt_state_fill("no markers", "tasks/x/task.c", &e);
    CHECK(s == NULL && e.code == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "tasks/x/task.c");
}

// Every shipped template renders with the values the search gives it, and leaves no
// placeholder behind.
static void test_real_templates(void) {
    err_info e;
    char *s = prompt_policy_feedback("task_score: ['0.00', '0.50'], Max: 0.50, Mean: 0.25, Min: 0.00", &e);
    CHECK_MSG(s != NULL, "%s", e.msg);
    CHECK_STR_CONTAINS(s, "task_score: ['0.00'");
    CHECK_STR_CONTAINS(s, "rewrite");
    CHECK(s && !strstr(s, "{{"));
    free(s);
    s = prompt_execution_error("compile_error", "reward.c:3: 'foo' undeclared", &e);
    CHECK_STR_CONTAINS(s, "compile_error");
    CHECK_STR_CONTAINS(s, "reward.c:3: 'foo' undeclared");
    free(s);
    s = prompt_human_feedback("the cart drifts left", &e);
    CHECK_STR_CONTAINS(s, "the cart drifts left");
    free(s);
    const task_def *t = task_find("cartpole");
    char path[4096];
    snprintf(path, sizeof path, "%s/tasks/cartpole/task.c", fs_root());
    if (t && fs_exists(path)) {
        s = prompt_initial_user(t, &e);
        CHECK_MSG(s != NULL, "%s", e.msg);
        CHECK_STR_CONTAINS(s, "typedef struct env_state");
        CHECK(s && !strstr(s, "fitness"));   // never the fitness
        CHECK(s && !strstr(s, "{{"));
        free(s);
    }
    s = prompt_system(&e);
    if (s || e.code != ERR_NOTFOUND) {   // rcomp_prelude may still be being built
        CHECK_MSG(s != NULL, "%s", e.msg);
        CHECK_STR_CONTAINS(s, "double compute_reward(const env_state *s, reward_terms *t)");
        CHECK_STR_CONTAINS(s, "double term(reward_terms *t");
        free(s);
    }
}

int main(void) {
    TEST_RUN(test_render);
    TEST_RUN(test_missing_template);
    TEST_RUN(test_state_fill);
    TEST_RUN(test_real_templates);
    TEST_END();
}
