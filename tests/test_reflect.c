// test_reflect.c: the reflection text of a hand-made train.json, character for character,
// and the errors for things that are not train.json.
#include <stdlib.h>

#include "util/fs.h"
#include "search/reflect.h"
#include "testlib.h"

static void test_format(void) {
    err_info e = {0};
    char *src = fs_read(EUREKA_TEST_DATA "/train_small.json", 1 << 20, NULL, &e);
    CHECK_MSG(src != NULL, "%s", e.msg);
    cJSON *train = cJSON_Parse(src);
    CHECK(train != NULL);
    char *text = reflect_text(train, &e);
    // 25 values: every 2nd (EUREKA's values[::max(n // 10, 1)]), 2 decimals; a series
    // below 0.1 in magnitude gets two significant digits instead of '0.00's.
    const char *want =
        "rot_reward: ['0.00', '0.20', '0.40', '0.60', '0.80', '1.00', '1.20', '1.40', '1.60', "
        "'1.80', '2.00', '2.20', '2.40'], Max: 2.40, Mean: 1.20, Min: 0.00\n"
        "action_penalty: ['-0.00055', '-0.00060', '-0.00050'], Max: -0.00050, Mean: -0.00055, "
        "Min: -0.00060\n"
        "unused: ['0.00', '0.00', '0.00'], Max: 0.00, Mean: 0.00, Min: 0.00\n"
        "task_score: ['0.10', '0.50', '0.40'], Max: 0.50, Mean: 0.33, Min: 0.10\n"
        "episode_lengths: ['75.00', '75.00', '75.00', '75.00'], Max: 75.00, Mean: 75.00, Min: 75.00";
    CHECK_MSG(text && strcmp(text, want) == 0, "got:\n%s\nwant:\n%s", text ? text : "(null)", want);
    free(text);
    CHECK(reflect_stride(train) == 1);   // 4 episode lengths
    CHECK(reflect_stride(NULL) == 0);
    cJSON_Delete(train);
    free(src);
}

static void test_errors(void) {
    err_info e = {0};
    cJSON *o = cJSON_Parse("[1, 2]");
    CHECK(reflect_text(o, &e) == NULL && e.code == ERR_PARSE);
    cJSON_Delete(o);
    o = cJSON_Parse("{\"components\": {}, \"episode_length\": []}");
    e.code = ERR_OK;
    CHECK(reflect_text(o, &e) == NULL && e.code == ERR_PARSE);
    cJSON_Delete(o);
    o = cJSON_Parse("{\"components\": {\"x\": [1, \"a\"]}, \"episode_length\": [],"
                    " \"checkpoints\": {\"fitness\": []}}");
    e.code = ERR_OK;
    CHECK(reflect_text(o, &e) == NULL && e.code == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "'x'");
    cJSON_Delete(o);
    CHECK(reflect_text(NULL, &e) == NULL);
}

int main(void) {
    TEST_RUN(test_format);
    TEST_RUN(test_errors);
    TEST_END();
}
