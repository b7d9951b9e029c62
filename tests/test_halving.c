// test_halving.c: the judge's successive halving (judge/halving.h) and what it rests on:
// the plan's arithmetic, who goes on after a rung, how many jobs the pool runs at once,
// and, through real workers on cartpole, that a survivor continued over three rungs ends
// exactly where one straight training of the same budget ends, that a failing candidate
// drops out, and that the robust statistic and its interval reach train.json.
#include <math.h>
#include <stdlib.h>

#include "judge/halving.h"
#include "judge/judge.h"
#include "search/search.h"
#include "util/stats.h"
#include "testlib.h"

static void test_plan(void) {
    halving_plan p;
    err_info e = {0};
    CHECK(halving_plan_default(8, 2000000, 100352, &p, &e) == ERR_OK);
    CHECK(p.n_rungs == 3);
    CHECK(p.keep[0] == 8 && p.keep[1] == 4 && p.keep[2] == 2);
    CHECK(p.steps[0] == 501760 && p.steps[1] == 1003520 && p.steps[2] == 2000000);
    // No more steps than K plain trainings of half the budget (today's search).
    CHECK_MSG(halving_plan_steps(&p) <= 8L * 1000000 + 8L * 100352, "plan spends %ld", halving_plan_steps(&p));
    CHECK(halving_plan_default(3, 40000, 4096, &p, &e) == ERR_OK);
    CHECK(p.keep[0] == 3 && p.keep[1] == 2 && p.keep[2] == 1);
    CHECK(halving_plan_default(1, 40000, 4096, &p, &e) == ERR_OK && p.keep[2] == 1);

    double f[HALVING_MAX_RUNGS];
    int n = 0;
    CHECK(halving_parse_fractions("0.5,1", f, &n, &e) == ERR_OK && n == 2 && f[0] == 0.5 && f[1] == 1);
    CHECK(halving_parse_fractions("0.5,x", f, &n, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "--rungs");
    CHECK(halving_parse_fractions("", f, &n, &e) == ERR_USAGE);
    double bad1[] = {0.5, 0.9};         // does not end at the full budget
    CHECK(halving_plan_make(4, 1000, 10, bad1, 2, &p, &e) == ERR_USAGE);
    double bad2[] = {0.6, 0.3, 1};      // not increasing
    CHECK(halving_plan_make(4, 1000, 10, bad2, 3, &p, &e) == ERR_USAGE);
    double one[] = {1};
    CHECK(halving_plan_make(4, 1000, 10, one, 1, &p, &e) == ERR_OK && p.n_rungs == 1 && p.keep[0] == 4);
}

// Candidates after rung 1: scores, a failure, a tie; who goes on and the final order.
static void test_select(void) {
    halving_plan p;
    halving_plan_default(6, 1000, 10, &p, NULL);    // keep 6, 3, 2
    halving_cand c[6];
    memset(c, 0, sizeof c);
    double score[6] = {0.2, 0.5, 0.5, 0.9, 0.1, 0.7};
    for (int i = 0; i < 6; i++) {
        c[i].src = "x";
        c[i].rungs_done = 1;
        c[i].v.status = SB_OK;
        c[i].score = score[i];
    }
    c[3].v.status = SB_CRASH;           // the best score, but it failed
    c[3].out = 1;
    halving_select(&p, 0, c, 6);
    int alive[6];
    for (int i = 0; i < 6; i++) alive[i] = !c[i].out;
    CHECK(alive[5] && alive[1] && alive[2]);       // 0.7, then the tie 0.5 / 0.5
    CHECK(!alive[0] && !alive[3] && !alive[4]);
    c[5].rungs_done = c[1].rungs_done = c[2].rungs_done = 2;
    c[5].score = 0.4;
    c[1].score = 0.6;
    c[2].score = 0.3;
    halving_select(&p, 1, c, 6);
    CHECK(!c[5].out && !c[1].out && c[2].out);
    int order[6];
    halving_order(c, 6, order);
    CHECK(order[0] == 1 && order[1] == 5);         // rung 2 first, by score
    CHECK(order[2] == 2);                          // stopped after rung 2 ranks above rung 1
    CHECK(order[5] == 3);                          // the failure last
}

static const char *good =
    "double compute_reward(const env_state *s, reward_terms *t) {\n"
    "    return term(t, \"upright\", 1.0 - s->pole_angle * s->pole_angle)\n"
    "         + term(t, \"centre\", -0.01 * fabs(s->cart_pos));\n"
    "}\n";
static const char *falls =
    "double compute_reward(const env_state *s, reward_terms *t) {\n"
    "    return term(t, \"tilt\", fabs(s->pole_angle));\n"
    "}\n";
static const char *nan_late =
    "double compute_reward(const env_state *s, reward_terms *t) {\n"
    "    return term(t, \"x\", s->step > 5 ? sqrt(-1.0 - s->pole_angle * s->pole_angle) : 1.0);\n"
    "}\n";

typedef struct seen { int rungs[8]; } seen;

static int count_rung(void *ctx, int cand, int rung, halving_cand *c, err_info *e) {
    seen *s = ctx;
    s->rungs[cand]++;
    CHECK(c->rungs_done == rung + 1);
    if (c->v.status == SB_OK) CHECK(c->v.state != NULL && c->v.result != NULL);
    return ERR_OK;
}

// Three cartpole candidates through a real tournament; the survivor against one
// straight training of the full budget with the same seed.
static void test_tournament(void) {
    const task_def *t = task_find("cartpole");
    long full = 16 * 2048, ck = 2 * 2048;
    halving_plan plan;
    err_info e = {0};
    CHECK(halving_plan_default(3, full, ck, &plan, &e) == ERR_OK);
    halving_cand c[3];
    memset(c, 0, sizeof c);
    const char *src[3] = {falls, good, nan_late};
    for (int i = 0; i < 3; i++) {
        c[i].src = src[i];
        c[i].seed = search_candidate_seed(7, 1, i);
        c[i].label = i;
    }
    seen s = {{0}};
    halving_opts o;
    memset(&o, 0, sizeof o);
    o.jo = (judge_opts){t, 2, NULL, NULL, NULL, NULL};
    o.base.threads = 1;
    o.base.ck_interval = ck;
    o.on_rung = count_rung;
    o.ctx = &s;
    CHECK_MSG(halving_run(&o, &plan, c, 3, &e) == ERR_OK, "%s", e.msg);
    CHECK(c[2].v.status == SB_NONFINITE);
    CHECK_STR_CONTAINS(c[2].v.message, "'x' is NaN");
    CHECK(s.rungs[0] >= 1 && s.rungs[1] >= 1 && s.rungs[2] == 1);
    int order[3];
    halving_order(c, 3, order);
    CHECK_MSG(order[0] == 1, "winner %d (scores %.3f %.3f)", order[0], c[0].score, c[1].score);
    CHECK(c[1].rungs_done == 3 && s.rungs[1] == 3);
    CHECK(order[2] == 2);
    const cJSON *r = c[1].v.result;
    CHECK((long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "steps")) == full);
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(r, "fitness_ci");
    double rob = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "fitness_robust"));
    CHECK(rob == c[1].score);
    CHECK(cJSON_GetArraySize(ci) == 2 && cJSON_GetArrayItem(ci, 0)->valuedouble <= rob &&
          rob <= cJSON_GetArrayItem(ci, 1)->valuedouble);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "recent_policies")) == 3);

    // The same candidate trained straight to the full budget: the same training.
    train_cfg cfg = o.base;
    cfg.steps = full;
    cfg.seed = c[1].seed;
    judge_job j = judge_job_train(t, good, &cfg);
    judge_verdict v;
    judge_one(t, &j, NULL, NULL, NULL, &v);
    CHECK_MSG(v.status == SB_OK, "%s", v.message);
    if (v.status == SB_OK) {
        const char *same[] = {"fitness", "fitness_final", "fitness_robust", "steps", "updates"};
        for (size_t k = 0; k < sizeof same / sizeof same[0]; k++)
            CHECK_MSG(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v.result, same[k])) ==
                          cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, same[k])),
                      "%s differs between the continued and the straight training", same[k]);
        const char *series[] = {"reward_total", "policy_std", "approx_kl"};
        for (size_t k = 0; k < sizeof series / sizeof series[0]; k++) {
            char *a = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(v.result, series[k]));
            char *b = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, series[k]));
            CHECK_MSG(a && b && strcmp(a, b) == 0, "%s differs", series[k]);
            free(a);
            free(b);
        }
        char *a = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(v.result, "policy"));
        char *b = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "policy"));
        CHECK_MSG(a && b && strcmp(a, b) == 0, "the best policies differ");
        free(a);
        free(b);
    }
    judge_verdict_free(&v);
    halving_cands_free(c, 3);
}

// How many run at once: a batch of more than one round and less than two runs whole.
static void test_width(void) {
    CHECK(judge_width(3, 2) == 3 && judge_width(5, 4) == 5 && judge_width(7, 4) == 7);
    CHECK(judge_width(2, 2) == 2 && judge_width(4, 2) == 2 && judge_width(8, 4) == 4);
    CHECK(judge_width(1, 2) == 2 && judge_width(0, 2) == 2 && judge_width(3, 1) == 1);
    CHECK(judge_width(3, 0) == 1 && judge_width(100, 64) == 64 && judge_width(99, 1000) == 64);
}

typedef struct order_log {
    const judge_job *jobs;
    int started[3];         // job i reported progress ...
    int before_done[3];     // ... before any job of the batch had ended
    int done;
} order_log;

static void log_progress(void *ctx, const judge_progress *p) {
    order_log *l = ctx;
    int i = (int)(p->job - l->jobs);
    if (i < 0 || i >= 3 || l->started[i]) return;
    l->started[i] = 1;
    l->before_done[i] = l->done == 0;
}

static void log_done(void *ctx, int i, judge_verdict *v) {
    (void)i;
    CHECK_MSG(v->status == SB_OK, "%s", v->message);
    ((order_log *)ctx)->done++;
}

// Three trainings on two slots start together (the pool's real workers), unless they
// are capped by wall clock. That sharing changes no result is test_tournament's check:
// its first rung runs its three candidates at once.
static void test_pool_width(void) {
    const task_def *t = task_find("cartpole");
    for (int capped = 0; capped < 2; capped++) {
        train_cfg cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.steps = 8 * 2048;
        cfg.threads = 1;
        cfg.max_seconds = capped ? 600 : 0;
        judge_job jobs[3];
        judge_verdict out[3];
        memset(out, 0, sizeof out);
        for (int i = 0; i < 3; i++) {
            cfg.seed = (uint64_t)i + 1;
            jobs[i] = judge_job_train(t, good, &cfg);
        }
        order_log l = {jobs, {0}, {0}, 0};
        judge_opts o = {t, 2, NULL, log_progress, log_done, &l};
        CHECK(judge_run(&o, jobs, 3, out) == 3);
        CHECK(l.done == 3 && l.started[0] && l.started[1] && l.started[2]);
        CHECK_MSG(l.before_done[2] == !capped, "job 3 %s before the first ended (capped %d)",
                  l.before_done[2] ? "started" : "did not start", capped);
        for (int i = 0; i < 3; i++) judge_verdict_free(&out[i]);
    }
}

// The robust statistic of a forged train.json does not survive the clean measurement.
// A resumed iteration: candidates finished before the stop are frozen. They rank in the
// selections as they did (the winner keeps its slot, so the rival it beat at rung 2 stays
// out) and are never trained again, even when the selection would let them go on.
static void test_frozen(void) {
    halving_plan plan;
    CHECK(halving_plan_default(3, 8 * 2048, 2048, &plan, NULL) == ERR_OK);   // keep 3, 2, 1
    halving_cand c[3];
    memset(c, 0, sizeof c);
    int done[3] = {1, 3, 2}, frozen[3] = {1, 1, 0};
    double score[3] = {0.12, 0.2, 0.14};
    for (int i = 0; i < 3; i++) {
        c[i].src = "x";
        c[i].rungs_done = done[i];
        c[i].frozen = frozen[i];
        c[i].v.status = SB_OK;
        c[i].score = score[i];
    }
    seen s = {{0}};
    halving_opts o;
    memset(&o, 0, sizeof o);
    o.jo = (judge_opts){task_find("cartpole"), 1, NULL, NULL, NULL, NULL};
    o.on_rung = count_rung;
    o.ctx = &s;
    err_info e = {0};
    CHECK_MSG(halving_run(&o, &plan, c, 3, &e) == ERR_OK, "%s", e.msg);
    CHECK(c[0].out && c[2].out && !c[1].out);      // as before the stop
    CHECK(s.rungs[0] + s.rungs[1] + s.rungs[2] == 0);
    // A frozen candidate the selection keeps does not train either.
    memset(c, 0, sizeof c);
    c[0].src = "x";
    c[0].rungs_done = 1;
    c[0].frozen = 1;
    c[0].v.status = SB_OK;
    CHECK(halving_run(&o, &plan, c, 1, &e) == ERR_OK);
    CHECK(c[0].rungs_done == 1 && s.rungs[0] == 0);
}

static void test_measure_forged(void) {
    const task_def *t = task_find("cartpole");
    train_cfg cfg = {0};
    cfg.steps = 4 * 2048;
    cfg.threads = 1;
    cfg.seed = 3;
    judge_job j = judge_job_train(t, good, &cfg);
    judge_verdict v;
    judge_one(t, &j, NULL, NULL, NULL, &v);
    CHECK_MSG(v.status == SB_OK, "%s", v.message);
    if (v.status != SB_OK) return;
    judge_measure m;
    err_info e = {0};
    CHECK_MSG(judge_measure_train(t, v.result, 0, &m, &e) == ERR_OK, "%s", e.msg);
    CHECK(m.robust == cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v.result, "fitness_robust")));
    CHECK(m.n_policies == 3 && m.cases == judge_robust_cases(t));
    // A forged recent policy (weights zeroed) measures as what it is.
    cJSON *rec = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v.result, "recent_policies"), 2);
    cJSON *actor = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "policy"), "actor");
    cJSON *x;
    cJSON_ArrayForEach(x, actor) cJSON_SetNumberValue(x, 0);
    judge_measure m2;
    CHECK(judge_measure_train(t, v.result, 0, &m2, &e) == ERR_OK);
    CHECK(m2.robust != m.robust);
    judge_verdict_free(&v);
}

// What a rung ranks on: the graded fitness at the first of several rungs when the result
// has one and the plan's graded_cut is on (not --first-cut success), else the robust
// statistic.
static void test_rung_score(void) {
    cJSON *both = cJSON_Parse("{\"fitness_robust\": 0.25, \"fitness_graded\": 0.875}");
    cJSON *robust = cJSON_Parse("{\"fitness_robust\": 0.25}");
    cJSON *none = cJSON_Parse("{}");
    halving_plan p3, p2, p1;
    err_info e = {0};
    const double f3[] = {0.25, 0.5, 1}, f2[] = {0.5, 1}, f1[] = {1};
    CHECK(halving_plan_make(8, 1000, 10, f3, 3, &p3, &e) == ERR_OK && p3.graded_cut == 1);
    CHECK(halving_plan_make(8, 1000, 10, f2, 2, &p2, &e) == ERR_OK);
    CHECK(halving_plan_make(8, 1000, 10, f1, 1, &p1, &e) == ERR_OK);
    CHECK(halving_rung_score(both, &p3, 0) == 0.875 && halving_rung_score(both, &p2, 0) == 0.875);
    CHECK(halving_rung_score(both, &p3, 1) == 0.25 && halving_rung_score(both, &p3, 2) == 0.25);
    CHECK(halving_rung_score(both, &p1, 0) == 0.25);
    CHECK(halving_rung_score(robust, &p3, 0) == 0.25 && halving_rung_score(robust, &p3, 2) == 0.25);
    CHECK(halving_rung_score(none, &p3, 0) == -INFINITY);
    // --first-cut success: every rung on the success rate
    p3.graded_cut = 0;
    CHECK(halving_rung_score(both, &p3, 0) == 0.25 && !halving_rung_graded(&p3, 0));
    cJSON_Delete(both);
    cJSON_Delete(robust);
    cJSON_Delete(none);
}

int main(void) {
    TEST_RUN(test_rung_score);
    TEST_RUN(test_plan);
    TEST_RUN(test_width);
    TEST_RUN(test_pool_width);
    TEST_RUN(test_select);
    TEST_RUN(test_tournament);
    TEST_RUN(test_frozen);
    TEST_RUN(test_measure_forged);
    TEST_END();
}
