// test_ppo.c: the PPO trainer on cartpole with rewards written in C in this file
// (no compiler, no sandbox): it learns, it is deterministic, and a non-finite reward
// component stops training with a message naming it.
#include <math.h>
#include <stdlib.h>

#include "judge/judge.h"
#include "rl/ppo.h"
#include "search/reflect.h"
#include "testlib.h"

#include "../tasks/cartpole/env.h"

// Isaac Gym's cartpole reward (the shape rewards/cartpole_human.c follows).
static double cartpole_reward(const void *state, reward_terms *t) {
    const env_state *s = state;
    double r = reward_term(t, "upright", 1.0 - s->pole_angle * s->pole_angle);
    r += reward_term(t, "cart_vel", -0.01 * fabs(s->cart_vel));
    r += reward_term(t, "pole_vel", -0.005 * fabs(s->pole_angvel));
    int fell = fabs(s->cart_pos) > CART_LIMIT || fabs(s->pole_angle) > POLE_LIMIT;
    return r + reward_term(t, "fail", fell ? -2.0 : 0.0);
}

// Becomes NaN once the pole has moved enough: the component must be named.
static double nan_reward(const void *state, reward_terms *t) {
    const env_state *s = state;
    double bad = s->step > 20 ? sqrt(-1.0 - fabs(s->pole_angle)) : 0.0;
    return reward_term(t, "upright", 1.0) + reward_term(t, "broken_term", bad);
}

static const task_def *cartpole(void) {
    const task_def *t = task_find("cartpole");
    CHECK(t != NULL);
    return t;
}

static void test_cartpole_learns(void) {
    const task_def *t = cartpole();
    if (!t) return;
    train_cfg cfg = {0};     // the task's default budget (300k control steps)
    cfg.seed = 1;
    cfg.threads = 2;
    cfg.checkpoints = 4;
    cJSON *out = NULL;
    err_info e = {0};
    int rc = ppo_train(t, cartpole_reward, &cfg, NULL, NULL, &out, &e);
    CHECK_MSG(rc == 0, "%s", e.msg);
    if (rc) return;
    cJSON *ck = cJSON_GetObjectItem(out, "checkpoints");
    cJSON *fit = cJSON_GetObjectItem(ck, "fitness");
    double best = cJSON_GetObjectItem(out, "fitness")->valuedouble;
    CHECK(cJSON_GetArraySize(fit) == 4);
    // The first checkpoint's policy is barely trained; a policy that does nothing keeps
    // the pole up for about 40 of 500 steps (0.08).
    double first = cJSON_GetArrayItem(fit, 0)->valuedouble;
    fprintf(stderr, "cartpole fitness: first checkpoint %.3f, best %.3f, final %.3f\n", first,
            best, cJSON_GetObjectItem(out, "fitness_final")->valuedouble);
    CHECK_MSG(best >= 0.9, "fitness %.3f", best);
    CHECK(best > first);
    // The best checkpoint's policy, re-measured in a worker that never loads the reward,
    // scores exactly what training reported; a forged policy does not.
    double again = -1;
    CHECK_MSG(judge_verify(t, out, &again, &e) == ERR_OK, "%s", e.msg);
    CHECK_MSG(again == best, "verified %.6f, reported %.6f", again, best);
    cJSON *actor = cJSON_GetObjectItem(cJSON_GetObjectItem(out, "policy"), "actor");
    for (int k = 0; k < cJSON_GetArraySize(actor); k++) cJSON_SetNumberValue(cJSON_GetArrayItem(actor, k), 0.0);
    CHECK(judge_verify(t, out, &again, &e) == ERR_OK && again < best);
    cJSON *comp = cJSON_GetObjectItem(out, "components");
    cJSON *up = cJSON_GetObjectItem(comp, "upright");
    int U = cJSON_GetObjectItem(out, "updates")->valueint;
    CHECK(U == (t->defaults.train_steps + 1023) / (32 * 32));
    CHECK(cJSON_GetArraySize(up) == U);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(comp, "fail")) == U);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(out, "policy_std")) == U);
    // Episodes get longer as it learns.
    cJSON *len = cJSON_GetObjectItem(out, "episode_length");
    CHECK(cJSON_GetArrayItem(len, U - 1)->valuedouble > cJSON_GetArrayItem(len, 2)->valuedouble);
    char *text = reflect_text(out, &e);
    CHECK_STR_CONTAINS(text, "upright: ['");
    CHECK_STR_CONTAINS(text, "task_score: ['");
    free(text);
    cJSON_Delete(out);
}

// train.json text without the wall-clock time.
static char *train_text(int threads, uint64_t seed) {
    train_cfg cfg = {0};
    cfg.steps = 8192;
    cfg.seed = seed;
    cfg.threads = threads;
    cfg.checkpoints = 2;
    cJSON *out = NULL;
    err_info e = {0};
    if (ppo_train(cartpole(), cartpole_reward, &cfg, NULL, NULL, &out, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return NULL;
    }
    cJSON_DeleteItemFromObject(out, "seconds");
    cJSON_DeleteItemFromObject(out, "threads");
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return s;
}

static void test_deterministic(void) {
    char *a = train_text(2, 5), *b = train_text(2, 5), *c = train_text(1, 5), *d = train_text(2, 6);
    CHECK(a && b && c && d);
    if (a && b) CHECK_MSG(strcmp(a, b) == 0, "same seed and threads gave different train.json");
    // Environments own their RNG streams and the learner runs on one thread: the
    // thread count does not change the result either.
    if (a && c) CHECK_MSG(strcmp(a, c) == 0, "1 and 2 threads gave different train.json");
    // A barely trained policy (fitness well below 1) re-measures exactly, from the text.
    cJSON *ja = a ? cJSON_Parse(a) : NULL;
    double again = -1, reported = ja ? cJSON_GetObjectItem(ja, "fitness")->valuedouble : -2;
    err_info e = {0};
    CHECK_MSG(ja && judge_verify(cartpole(), ja, &again, &e) == ERR_OK, "%s", e.msg);
    CHECK_MSG(again == reported && reported < 0.9, "verified %.6f, reported %.6f", again, reported);
    cJSON_Delete(ja);
    if (a && d) CHECK(strcmp(a, d) != 0);
    free(a); free(b); free(c); free(d);
}

static void test_nonfinite_aborts(void) {
    train_cfg cfg = {0};
    cfg.steps = 20000;
    cfg.seed = 1;
    cfg.threads = 2;
    cJSON *out = NULL;
    err_info e = {0};
    int rc = ppo_train(cartpole(), nan_reward, &cfg, NULL, NULL, &out, &e);
    CHECK(rc == ERR_NONFINITE);
    CHECK(out == NULL);
    CHECK_STR_CONTAINS(e.msg, "broken_term");
    CHECK_STR_CONTAINS(e.msg, "step");
}

static void test_defaults(void) {
    train_cfg cfg = {0};
    train_cfg_defaults(&cfg, cartpole());
    CHECK(cfg.steps == cartpole()->defaults.train_steps);
    CHECK(cfg.epochs == 5 && cfg.minibatches == 4 && cfg.hidden == 64);
    CHECK(fabs(cfg.lr - 3e-4) < 1e-12 && fabs(cfg.gamma - 0.99) < 1e-12);
    CHECK(fabs(cfg.init_log_std + 0.5) < 1e-12 && fabs(cfg.clip - 0.2) < 1e-12);
    train_cfg bad = {0};
    bad.steps = 100;
    bad.minibatches = 5000;
    cJSON *out = NULL;
    err_info e = {0};
    CHECK(ppo_train(cartpole(), cartpole_reward, &bad, NULL, NULL, &out, &e) == ERR_USAGE);
}

int main(void) {
    TEST_RUN(test_defaults);
    TEST_RUN(test_nonfinite_aborts);
    TEST_RUN(test_deterministic);
    TEST_RUN(test_cartpole_learns);
    TEST_END();
}
