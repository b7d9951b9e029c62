// test_wire.c: jobs and verdicts as MPI messages (cluster/wire.h), without MPI: a round
// trip gives a trainer rank's worker exactly the settings and saved training the local
// judge would give it, and the driver exactly the result a local worker would (numbers
// travel as cJSON prints them, as on the pipe from a local worker: what has been
// printed once comes back the same), and a verdict from another machine is checked as a local worker's
// result is: malformed headers, lengths that do not add up, a result on a failed job,
// a bad component name and control characters are all caught or made harmless.
#include <math.h>
#include <stdlib.h>

#include "cluster/wire.h"
#include "rl/train_cfg.h"
#include "testlib.h"

static const char reward[] = "double compute_reward(const env_state *s, reward_terms *t) {\n"
                             "    return term(t, \"upright\", cos(s->pole_angle));\n}\n";

static void test_job_round_trip(void) {
    const task_def *t = task_find("cartpole");
    CHECK(t != NULL);
    train_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.steps = 123456;
    cfg.seed = 9007199254740991ull;     // the largest seed JSON keeps exactly
    cfg.threads = 3;
    cfg.lr = 0.1 + 0.2;                 // a double that needs 17 digits
    judge_job j = judge_job_train(t, reward, &cfg);
    unsigned char state[300];
    for (size_t i = 0; i < sizeof state; i++) state[i] = (unsigned char)(i * 7);  // NULs included
    j.state = state;
    j.state_len = sizeof state;
    j.robust_cases = 40;
    j.timeout_s = 12.5;
    j.iteration = 2;
    j.sample = 5;
    size_t len = 0;
    char *m = wire_job_encode(&j, t, 77, &len);
    CHECK(m != NULL);
    wire_job w;
    err_info e = {0};
    CHECK(wire_job_decode(m, len, &w, &e) == ERR_OK);
    CHECK(w.task == t && w.seq == 77);
    CHECK(w.job.mode == JUDGE_TRAIN && strcmp(w.job.reward_src, reward) == 0);
    CHECK(w.job.cfg.steps == 123456 && w.job.cfg.threads == 3);
    // The worker gets train_cfg_json of the settings: the same text on either rank.
    cJSON *ja = train_cfg_json(&j.cfg), *jb = train_cfg_json(&w.job.cfg);
    char *a = cJSON_PrintUnformatted(ja), *b = cJSON_PrintUnformatted(jb);
    CHECK_MSG(a && b && strcmp(a, b) == 0, "%s\n%s", a, b);
    free(a);
    free(b);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    CHECK(w.job.state_len == sizeof state && memcmp(w.job.state, state, sizeof state) == 0);
    CHECK(w.job.robust_cases == 40 && w.job.timeout_s == 12.5 && w.job.iteration == 2 && w.job.sample == 5);
    wire_job_free(&w);
    // One byte short: the state no longer adds up.
    CHECK(wire_job_decode(m, len - 1, &w, &e) == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "state");
    free(m);

    judge_job c;
    memset(&c, 0, sizeof c);
    c.mode = JUDGE_CHECK;
    c.reward_src = reward;
    c.check_calls = 99;
    m = wire_job_encode(&c, t, 1, &len);
    CHECK(wire_job_decode(m, len, &w, &e) == ERR_OK && w.job.mode == JUDGE_CHECK && w.job.check_calls == 99 &&
          w.job.state == NULL);
    wire_job_free(&w);
    free(m);
}

// A message: header text, NUL, then the rest.
static char *msg(const char *head, const char *rest, size_t rest_len, size_t *len) {
    size_t h = strlen(head);
    *len = h + 1 + rest_len;
    char *m = malloc(*len);
    memcpy(m, head, h + 1);
    memcpy(m + h + 1, rest, rest_len);
    return m;
}

static void test_job_hostile(void) {
    wire_job w;
    err_info e = {0};
    size_t len;
    char *m = msg("{\"seq\":1,\"task\":\"nope\",\"mode\":\"train\",\"reward\":\"x\"}", "", 0, &len);
    CHECK(wire_job_decode(m, len, &w, &e) == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "unknown task 'nope'");
    free(m);
    CHECK(wire_job_decode("no header at all", 16, &w, &e) == ERR_PARSE);
    m = msg("{\"seq\":1,\"task\":\"cartpole\",\"mode\":\"train\",\"reward\":\"x\",\"cfg\":{},\"check_calls\":0,"
            "\"robust_cases\":0,\"timeout_s\":0,\"iteration\":0,\"sample\":0,\"state_len\":1e300}", "", 0, &len);
    CHECK(wire_job_decode(m, len, &w, &e) == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "state_len");
    free(m);
}

static void test_verdict_round_trip(void) {
    judge_verdict v;
    memset(&v, 0, sizeof v);
    v.status = SB_OK;
    v.seconds = 1.0 / 3.0;
    // As the judge holds a result: parsed from what a worker printed.
    cJSON *raw = cJSON_Parse("{\"components\":[{\"name\":\"upright\",\"mean\":1e-310}]}");
    cJSON_AddNumberToObject(raw, "fitness", 0.1 + 0.2);
    cJSON_AddNumberToObject(raw, "robust", 1.0 / 3.0);
    char *printed = cJSON_PrintUnformatted(raw);
    v.result = cJSON_Parse(printed);
    free(printed);
    cJSON_Delete(raw);
    v.state = malloc(5);
    memcpy(v.state, "a\0b\0c", 5);
    v.state_len = 5;
    size_t len = 0;
    char *m = wire_verdict_encode(&v, 42, &len);
    judge_verdict w;
    unsigned seq = 0;
    err_info e = {0};
    CHECK(wire_verdict_decode(m, len, &w, &seq, &e) == ERR_OK);
    CHECK(seq == 42 && w.status == SB_OK && w.seconds == 1.0 / 3.0);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(w.result, "fitness");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(w.result, "robust");
    CHECK(cJSON_IsNumber(f) && f->valuedouble == cJSON_GetObjectItemCaseSensitive(v.result, "fitness")->valuedouble);
    CHECK(cJSON_IsNumber(r) && r->valuedouble == cJSON_GetObjectItemCaseSensitive(v.result, "robust")->valuedouble);
    char *a = cJSON_PrintUnformatted(v.result), *b = cJSON_PrintUnformatted(w.result);
    CHECK(a && b && strcmp(a, b) == 0);     // train.json reads the same on the driver
    free(a);
    free(b);
    CHECK(w.state_len == 5 && memcmp(w.state, "a\0b\0c", 5) == 0);
    judge_verdict_free(&w);
    CHECK(wire_verdict_decode(m, len - 1, &w, &seq, &e) == ERR_PARSE);
    free(m);
    judge_verdict_free(&v);

    memset(&v, 0, sizeof v);
    v.status = SB_CRASH;
    v.signal = 11;
    snprintf(v.message, sizeof v.message, "the worker crashed (SIGSEGV)");
    m = wire_verdict_encode(&v, 3, &len);
    CHECK(wire_verdict_decode(m, len, &w, &seq, &e) == ERR_OK);
    CHECK(w.status == SB_CRASH && w.signal == 11 && w.result == NULL && strstr(w.message, "SIGSEGV"));
    free(m);
}

static const char head_fmt[] = "{\"seq\":1,\"status\":\"%s\",\"message\":\"%s\",\"signal\":0,\"syscall_nr\":-1,"
                               "\"syscall_name\":\"\",\"seconds\":1,\"result_len\":%zu,\"state_len\":0}";

// A verdict whose header says status and message, with the result text res.
static int decode_with(const char *status, const char *message, const char *res, judge_verdict *w, err_info *e) {
    char head[1024];
    size_t rl = strlen(res), len;
    snprintf(head, sizeof head, head_fmt, status, message, rl);
    char *body = malloc(rl + 1);
    memcpy(body, res, rl + 1);
    char *m = msg(head, body, rl + 1, &len);
    unsigned seq;
    int rc = wire_verdict_decode(m, len, w, &seq, e);
    free(m);
    free(body);
    return rc;
}

static void test_verdict_hostile(void) {
    judge_verdict w;
    err_info e = {0};
    CHECK(decode_with("ok", "", "{\"fitness\":1}", &w, &e) == ERR_OK);
    judge_verdict_free(&w);
    CHECK(decode_with("fine", "", "", &w, &e) == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "status");
    CHECK(decode_with("ok", "", "[1,2]", &w, &e) == ERR_PARSE);             // not an object
    CHECK(decode_with("ok", "", "", &w, &e) == ERR_PARSE);                  // ok without a result
    CHECK(decode_with("crash", "", "{\"fitness\":1}", &w, &e) == ERR_PARSE); // a result on a failure
    // A component name term() would refuse: as from a local worker, the result is refused.
    CHECK(decode_with("ok", "", "{\"components\":[{\"name\":\"rm -rf\",\"mean\":1}]}", &w, &e) == ERR_PARSE);
    // Control characters in strings are made visible, as a local worker's are.
    CHECK(decode_with("ok", "\\u001b]0;x\\u0007", "{\"note\":\"\\u001b[2J\"}", &w, &e) == ERR_OK);
    CHECK(strchr(w.message, 0x1b) == NULL && strstr(w.message, "\\x1b"));
    const char *note = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(w.result, "note"));
    CHECK(note && strchr(note, 0x1b) == NULL);
    judge_verdict_free(&w);
}

int main(void) {
    TEST_RUN(test_job_round_trip);
    TEST_RUN(test_job_hostile);
    TEST_RUN(test_verdict_round_trip);
    TEST_RUN(test_verdict_hostile);
    TEST_END();
}
