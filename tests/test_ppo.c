// test_ppo.c: the PPO trainer on cartpole with rewards written in C in this file
// (no compiler, no sandbox): it learns, it is deterministic, a non-finite reward
// component stops training with a message naming it, and a training stopped and resumed
// is the training that went straight through.
#include <math.h>
#include <stdlib.h>

#include "judge/judge.h"
#include "rl/explore.h"
#include "rl/policy.h"
#include "rl/ppo.h"
#include "rl/train_cfg.h"
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
    // So does policy.c in this process, which is how the trainer measured it.
    policy *pol = NULL;
    venv_eval ev = {0};
    CHECK(ja && policy_from_json(cartpole(), ja, &pol, &e) == ERR_OK &&
          policy_fitness(cartpole(), pol, 2, 0, &ev, &e) == ERR_OK);
    // (cJSON prints 15 significant digits when they read back within its epsilon.)
    CHECK_MSG(fabs(ev.fitness - reported) < 1e-12, "policy.c %.17g, reported %.17g (%s)", ev.fitness, reported, e.msg);
    policy_free(pol);
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
    train_cfg ro = {0};     // reorient trains 8 epochs (tasks/reorient/task.c)
    train_cfg_defaults(&ro, task_find("reorient"));
    CHECK(ro.epochs == 8);
    // a task's gSDE/LATTICE scale applies to those methods only, and a setting wins
    const task_def *ant = task_find("ant");
    CHECK(ant->defaults.sde_log_std != 0);
    for (int x = EXPLORE_GAUSSIAN; x <= EXPLORE_DEP; x++) {
        train_cfg c = {.exploration = x};
        train_cfg_defaults(&c, ant);
        int sde = x == EXPLORE_GSDE || x == EXPLORE_LATTICE;
        CHECK(c.init_log_std == (sde ? ant->defaults.sde_log_std : -0.5));
        train_cfg set = {.exploration = x, .init_log_std = -1.25};
        train_cfg_defaults(&set, ant);
        CHECK(set.init_log_std == -1.25);
    }
    train_cfg bad = {0};
    bad.steps = 100;
    bad.minibatches = 5000;
    cJSON *out = NULL;
    err_info e = {0};
    CHECK(ppo_train(cartpole(), cartpole_reward, &bad, NULL, NULL, &out, &e) == ERR_USAGE);
}

// A training's recorded "config" (read back from its text, as a cache is) is the job's
// settings once filled with the defaults, threads and the time cap aside: a cache is
// reused only while it is (bench/bench_judge.c). Each difference is named with both values.
static void test_cfg_diff(void) {
    train_cfg cfg = {0};
    cfg.steps = 2048;
    cfg.seed = 7;
    cfg.threads = 1;
    train_cfg_defaults(&cfg, cartpole());
    cJSON *out = NULL;
    err_info e = {0};
    CHECK(ppo_train(cartpole(), cartpole_reward, &cfg, NULL, NULL, &out, &e) == ERR_OK);
    char *txt = cJSON_Print(out);
    cJSON *back = txt ? cJSON_Parse(txt) : NULL;
    free(txt);
    cJSON *rec = cJSON_GetObjectItemCaseSensitive(back, "config");
    train_cfg_delta d;
    CHECK_MSG(!train_cfg_diff(rec, &cfg, &d), "%s: %s vs %s", d.name, d.was, d.now);
    train_cfg more = cfg;
    more.threads = 2;       // the machine's, not what is learnt
    CHECK(!train_cfg_diff(rec, &more, &d));
    more.epochs = 8;
    CHECK(train_cfg_diff(rec, &more, &d) && !strcmp(d.name, "epochs") && !strcmp(d.was, "5") &&
          !strcmp(d.now, "8"));
    more = cfg;
    more.lr = nextafter(cfg.lr, 1.0);   // the last bit JSON text may drop
    CHECK(!train_cfg_diff(rec, &more, &d));
    more.lr = 1e-4;
    CHECK(train_cfg_diff(rec, &more, &d) && !strcmp(d.name, "lr") && !strcmp(d.was, "0.0003"));
    cJSON_DeleteItemFromObjectCaseSensitive(rec, "noise_period");
    CHECK(train_cfg_diff(rec, &cfg, &d) && !strcmp(d.name, "noise_period") && !d.was[0] &&
          !strcmp(d.now, "8"));
    cJSON_AddNumberToObject(rec, "noise_period", 8);
    cJSON_AddNumberToObject(rec, "no_such_setting", 1);
    CHECK(train_cfg_diff(rec, &cfg, &d) && !strcmp(d.name, "no_such_setting") && !d.now[0]);
    CHECK(train_cfg_diff(NULL, &cfg, &d) && !strcmp(d.name, "config"));
    cJSON_Delete(back);
    cJSON_Delete(out);
}

// ---- resumable training --------------------------------------------------------------

// A reorient reward that needs no env.h (cartpole's is included above): the state starts
// with the cube and goal quaternions.
static double reorient_reward(const void *state, reward_terms *t) {
    const double *q = state, *g = q + 4;
    double dot = fabs(q[0] * g[0] + q[1] * g[1] + q[2] * g[2] + q[3] * g[3]);
    return reward_term(t, "align", dot) + reward_term(t, "bonus", dot > 0.98 ? 1.0 : 0.0);
}

// train.json text without wall-clock time and thread count.
static char *json_text(cJSON *out) {
    cJSON_DeleteItemFromObject(out, "seconds");
    cJSON_DeleteItemFromObject(out, "threads");
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return s;
}

// One session: train to cfg->steps from state (may be NULL); returns the train.json text
// and, when state_out is non-NULL, the state to resume from.
static char *session(const task_def *t, reward_fn fn, train_cfg cfg, long steps, int threads,
                     const void *state, size_t len, void **state_out, size_t *out_len) {
    cfg.steps = steps;
    cfg.threads = threads;
    cJSON *out = NULL;
    err_info e = {0};
    if (ppo_train_ex(t, fn, &cfg, state, len, NULL, NULL, &out, state_out, out_len, NULL, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return NULL;
    }
    return json_text(out);
}

// Stopping at checkpoint positions and resuming gives the straight run's train.json, with
// any thread count per session.
static void resume_matches(const task_def *t, reward_fn fn, train_cfg cfg, long n1, long n2) {
    char *straight = session(t, fn, cfg, n2, 2, NULL, 0, NULL, NULL);
    void *s1 = NULL, *s2 = NULL;
    size_t l1 = 0, l2 = 0;
    char *first = session(t, fn, cfg, n1, 1, NULL, 0, &s1, &l1);
    char *resumed = s1 ? session(t, fn, cfg, n2, 2, s1, l1, &s2, &l2) : NULL;
    CHECK(straight && first && resumed && s2);
    if (straight && resumed)
        CHECK_MSG(strcmp(straight, resumed) == 0, "%s: stopped at %ld and resumed to %ld differs "
                  "from straight to %ld", t->name, n1, n2, n2);
    if (first && straight) CHECK(strcmp(first, straight) != 0);
    // The resumed training's own state continues too (a third session adds nothing when
    // the budget is already reached, and reports the same).
    char *again = s2 ? session(t, fn, cfg, n2, 1, s2, l2, NULL, NULL) : NULL;
    if (again && straight) CHECK(strcmp(again, straight) == 0);
    ppo_saved info;
    err_info e = {0};
    train_cfg_defaults(&cfg, t);
    CHECK(s2 && ppo_state_info(s2, l2, &info, &e) == ERR_OK);
    CHECK(!strcmp(info.task, t->name) && info.cfg.seed == cfg.seed && info.steps >= n2 &&
          info.cfg.n_envs == cfg.n_envs && info.cfg.horizon == cfg.horizon);
    fprintf(stderr, "   %s: state of %zu bytes after %ld steps\n", t->name, l2, info.steps);
    free(straight); free(first); free(resumed); free(again); free(s1); free(s2);
}

static void test_resume_cartpole(void) {
    train_cfg cfg = {0};
    cfg.seed = 3;
    cfg.ck_interval = 2048;     // 2 updates of 32 x 32
    resume_matches(cartpole(), cartpole_reward, cfg, 4096, 10240);
    // The stopped run's checkpoints are the straight run's.
    cfg.steps = 10240;
    cfg.threads = 1;
    cJSON *out = NULL;
    err_info e = {0};
    CHECK(ppo_train(cartpole(), cartpole_reward, &cfg, NULL, NULL, &out, &e) == ERR_OK);
    cJSON *ck = cJSON_GetObjectItem(out, "checkpoints");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(ck, "steps")) == 5);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(ck, "fitness_sd")) == 5);
    CHECK(cJSON_GetArrayItem(cJSON_GetObjectItem(ck, "cases"), 0)->valuedouble == cartpole()->n_eval);
    cJSON_Delete(out);
}

static void test_resume_reorient(void) {
    train_cfg cfg = {0};
    cfg.seed = 11;
    cfg.n_envs = 16;            // 512 steps per update
    cfg.ck_interval = 1024;
    cfg.eval_cases = 12;
    resume_matches(task_find("reorient"), reorient_reward, cfg, 2048, 3072);
}

// Flip one byte at pos and recompute the checksum, as a worker that forged a state would.
static void forge(unsigned char *b, size_t len, size_t pos) {
    b[pos] ^= 0x5a;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 112; i < len; i++) { h ^= b[i]; h *= 0x100000001b3ULL; }
    memcpy(b + 32, &h, 8);
}

// States for another task or other settings, truncated, damaged or forged ones: refused
// with a message (or, for a forged value that is still in range, accepted), never a crash.
static void test_resume_refused(void) {
    train_cfg cfg = {0};
    cfg.seed = 4;
    void *st = NULL;
    size_t len = 0;
    char *txt = session(cartpole(), cartpole_reward, cfg, 2048, 1, NULL, 0, &st, &len);
    CHECK(txt && st && len > 112);
    free(txt);
    if (!st) return;
    cJSON *out = NULL;
    err_info e = {0};
    cfg.steps = 4096;
    unsigned char *b = malloc(len);
    memcpy(b, st, len);
    b[len / 2] ^= 1;
    CHECK(ppo_train_ex(cartpole(), cartpole_reward, &cfg, b, len, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "checksum");
    CHECK(ppo_train_ex(cartpole(), cartpole_reward, &cfg, st, len - 1, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "truncated");
    CHECK(ppo_train_ex(cartpole(), cartpole_reward, &cfg, "garbage", 7, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_PARSE);
    CHECK(ppo_train_ex(task_find("reorient"), reorient_reward, &cfg, st, len, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "for task cartpole");
    train_cfg other = cfg;
    other.lr = 1e-3;
    CHECK(ppo_train_ex(cartpole(), cartpole_reward, &other, st, len, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "lr");
    other = cfg;
    other.seed = 5;
    CHECK(ppo_train_ex(cartpole(), cartpole_reward, &other, st, len, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_USAGE);
    other = cfg;
    other.steps = 1024;
    CHECK(ppo_train_ex(cartpole(), cartpole_reward, &other, st, len, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "already taken 2048 steps");
    CHECK(out == NULL);
    // Forged bytes with a valid checksum, all over the blob: loading (budget reached, so
    // no training) either refuses or accepts in-range values; it never crashes.
    rng r;
    rng_seed(&r, 9, 0);
    int refused = 0, n = 100;
    cfg.steps = 2048;
    for (int i = 0; i < n; i++) {
        memcpy(b, st, len);
        forge(b, len, 112 + (size_t)rng_below(&r, len - 112));
        int rc = ppo_train_ex(cartpole(), cartpole_reward, &cfg, b, len, NULL, NULL, &out, NULL, NULL, NULL, &e);
        CHECK(rc == ERR_OK || rc == ERR_PARSE || rc == ERR_USAGE);
        refused += rc != ERR_OK;
        cJSON_Delete(out);
        out = NULL;
    }
    fprintf(stderr, "   %d of %d forged states refused\n", refused, n);
    free(b);
    free(st);
}

// gSDE and LATTICE (explore.h) through the trainer: deterministic for 1 and 2 threads,
// resumable bit for bit (the noise matrices are part of the state), recorded in
// train.json, and LATTICE learns cartpole.
static void test_exploration(void) {
    for (int kind = EXPLORE_GSDE; kind <= EXPLORE_LATTICE; kind++) {
        train_cfg cfg = {0};
        cfg.seed = 8;
        cfg.exploration = kind;
        cfg.noise_period = 4;
        cfg.ck_interval = 2048;
        char *one = session(cartpole(), cartpole_reward, cfg, 6144, 1, NULL, 0, NULL, NULL);
        CHECK(one != NULL);
        if (one) CHECK_STR_CONTAINS(one, kind == EXPLORE_GSDE ? "\"exploration\":\"gsde\"" : "\"exploration\":\"lattice\"");
        free(one);
        resume_matches(cartpole(), cartpole_reward, cfg, 2048, 6144);
    }
    // A state saved with one exploration is refused by another.
    train_cfg cfg = {0};
    cfg.seed = 8;
    cfg.exploration = EXPLORE_LATTICE;
    void *st = NULL;
    size_t len = 0;
    free(session(cartpole(), cartpole_reward, cfg, 1024, 1, NULL, 0, &st, &len));
    cfg.exploration = EXPLORE_GSDE;
    cfg.steps = 2048;
    cJSON *out = NULL;
    err_info e = {0};
    CHECK(st && ppo_train_ex(cartpole(), cartpole_reward, &cfg, st, len, NULL, NULL, &out, NULL, NULL, NULL, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "exploration");
    free(st);
    // LATTICE learns cartpole within the default budget.
    cfg = (train_cfg){0};
    cfg.seed = 1;
    cfg.threads = 2;
    cfg.checkpoints = 3;
    cfg.exploration = EXPLORE_LATTICE;
    CHECK(ppo_train(cartpole(), cartpole_reward, &cfg, NULL, NULL, &out, &e) == ERR_OK);
    double fit = out ? cJSON_GetObjectItem(out, "fitness")->valuedouble : 0;
    cJSON *sd = out ? cJSON_GetObjectItem(out, "policy_std") : NULL;
    fprintf(stderr, "   lattice on cartpole: fitness %.3f, action std %.3f -> %.3f\n", fit,
            sd ? cJSON_GetArrayItem(sd, 0)->valuedouble : 0,
            sd ? cJSON_GetArrayItem(sd, cJSON_GetArraySize(sd) - 1)->valuedouble : 0);
    CHECK_MSG(fit >= 0.9, "lattice fitness %.3f", fit);
    cJSON_Delete(out);
}

static cJSON *series_of(const char *txt, const char *name, cJSON **root) {
    *root = txt ? cJSON_Parse(txt) : NULL;
    return cJSON_GetObjectItem(*root, name);
}

// --exploration dep (rl/dep.h) through the trainer on reorient: recorded, deterministic for
// 1 and 2 threads, resumable bit for bit (the controllers, their next sensor readings and
// the segments in progress are in the state). DEP's steps stay out of the loss: every
// update trains on exactly the policy's samples, and when DEP drives every step no
// gradient step happens at all (the learning rate changes nothing).
static void test_dep(void) {
    const task_def *ro = task_find("reorient");
    train_cfg cfg = {0};
    cfg.seed = 5;
    cfg.n_envs = 16;            // 512 steps per update
    cfg.minibatches = 4;
    cfg.ck_interval = 1024;
    cfg.eval_cases = 8;
    cfg.exploration = EXPLORE_DEP;
    cfg.dep_prob = 0.05;
    cfg.dep_length = 4;
    char *one = session(ro, reorient_reward, cfg, 3072, 1, NULL, 0, NULL, NULL);
    char *two = session(ro, reorient_reward, cfg, 3072, 2, NULL, 0, NULL, NULL);
    CHECK(one && two);
    if (one && two) CHECK_MSG(!strcmp(one, two), "dep: 1 and 2 threads gave different train.json");
    CHECK_STR_CONTAINS(one, "\"exploration\":\"dep\"");
    CHECK_STR_CONTAINS(one, "\"dep_prob\":0.05");
    cJSON *root;
    cJSON *dep = series_of(one, "dep_steps", &root), *tr = cJSON_GetObjectItem(root, "trained_samples");
    CHECK(cJSON_GetArraySize(dep) == 6 && cJSON_GetArraySize(tr) == 6);
    long all = 0, by_dep = 0;
    for (int u = 0; u < cJSON_GetArraySize(dep); u++) {
        int d = (int)cJSON_GetArrayItem(dep, u)->valuedouble, n = (int)cJSON_GetArrayItem(tr, u)->valuedouble;
        CHECK_MSG(d > 0 && d < 512 && n == (512 - d) / 4 * 4, "update %d: %d DEP steps, %d trained", u, d, n);
        all += 512;
        by_dep += d;
    }
    // A policy run of 1/p = 20 steps on average, then 4 of DEP (ended early by an episode's end).
    double share = (double)by_dep / (all ? all : 1);
    fprintf(stderr, "   dep: %.1f%% of the steps were DEP's (p 0.05, 4 steps)\n", 100 * share);
    CHECK(share > 0.08 && share < 0.25);
    cJSON_Delete(root);
    free(one);
    free(two);
    resume_matches(ro, reorient_reward, cfg, 1024, 3072);
    // DEP on every step: nothing to train on, whatever the learning rate.
    cfg.dep_prob = 1;
    char *a = session(ro, reorient_reward, cfg, 1024, 2, NULL, 0, NULL, NULL);
    cfg.lr = 1e-2;
    char *b = session(ro, reorient_reward, cfg, 1024, 2, NULL, 0, NULL, NULL);
    cJSON *ra, *rb;
    cJSON *pa = series_of(a, "policy", &ra), *pb = series_of(b, "policy", &rb);
    char *ta = pa ? cJSON_PrintUnformatted(pa) : NULL, *tb = pb ? cJSON_PrintUnformatted(pb) : NULL;
    CHECK(ta && tb && !strcmp(ta, tb));
    cJSON *ta_n = cJSON_GetObjectItem(ra, "trained_samples"), *da = cJSON_GetObjectItem(ra, "dep_steps");
    CHECK(cJSON_GetArraySize(ta_n) == 2 && cJSON_GetArrayItem(ta_n, 1)->valuedouble == 0 &&
          cJSON_GetArrayItem(da, 1)->valuedouble == 512);
    free(ta); free(tb); free(a); free(b);
    cJSON_Delete(ra);
    cJSON_Delete(rb);
    // dep_* settings belong to dep.
    cfg = (train_cfg){0};
    cfg.steps = 1024;
    cfg.dep_prob = 0.5;
    cJSON *out = NULL;
    err_info e = {0};
    CHECK(ppo_train(cartpole(), cartpole_reward, &cfg, NULL, NULL, &out, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "--exploration dep only");
}

// --curriculum on reorient: training starts on small goal rotations (level 1/stages),
// logs the level per update, resumes with its stage; a task without a knob refuses it.
static void test_curriculum(void) {
    train_cfg cfg = {0};
    cfg.seed = 12;
    cfg.n_envs = 16;
    cfg.ck_interval = 1024;
    cfg.eval_cases = 8;
    cfg.curriculum = 4;
    cfg.curriculum_threshold = 0.1;
    cfg.init_log_std = -2.4;            // barely moving fingers leave small goals reached
    char *txt = session(task_find("reorient"), reorient_reward, cfg, 3072, 2, NULL, 0, NULL, NULL);
    cJSON *o = txt ? cJSON_Parse(txt) : NULL;
    cJSON *lv = cJSON_GetObjectItem(o, "curriculum_level");
    CHECK(cJSON_GetArraySize(lv) == 6);
    CHECK(cJSON_GetArraySize(lv) > 0 && cJSON_GetArrayItem(lv, 0)->valuedouble == 0.25);
    for (int k = 1; k < cJSON_GetArraySize(lv); k++)
        CHECK(cJSON_GetArrayItem(lv, k)->valuedouble >= cJSON_GetArrayItem(lv, k - 1)->valuedouble);
    CHECK(cJSON_GetArraySize(lv) == 6 && cJSON_GetArrayItem(lv, 5)->valuedouble > 0.25);
    char *lvs = lv ? cJSON_PrintUnformatted(lv) : NULL;
    fprintf(stderr, "   curriculum levels: %s\n", lvs ? lvs : "-");
    free(lvs);
    cJSON_Delete(o);
    free(txt);
    resume_matches(task_find("reorient"), reorient_reward, cfg, 1024, 3072);
    cfg = (train_cfg){0};
    cfg.curriculum = 4;
    cfg.steps = 1024;
    cJSON *out = NULL;
    err_info e = {0};
    CHECK(ppo_train(cartpole(), cartpole_reward, &cfg, NULL, NULL, &out, &e) == ERR_USAGE);
    CHECK_STR_CONTAINS(e.msg, "no difficulty knob");
}

// `test_ppo NAME...` runs only the named tests (all of them take minutes).
static int wanted(int argc, char **argv, const char *name) {
    for (int k = 1; k < argc; k++)
        if (!strcmp(argv[k], name)) return 1;
    return argc < 2;
}
#define RUN(fn) do { if (wanted(argc, argv, #fn)) TEST_RUN(fn); } while (0)

int main(int argc, char **argv) {
    RUN(test_defaults);
    RUN(test_cfg_diff);
    RUN(test_nonfinite_aborts);
    RUN(test_deterministic);
    RUN(test_resume_cartpole);
    RUN(test_resume_reorient);
    RUN(test_resume_refused);
    RUN(test_exploration);
    RUN(test_curriculum);
    RUN(test_dep);
    RUN(test_cartpole_learns);
    TEST_END();
}
