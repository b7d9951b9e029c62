// test_venv.c: vectorised environments: stability under random actions, determinism,
// statistics, the reward ABI checks (non-finite, state writes, too many components),
// thread independence of venv_step and venv_evaluate, evaluation statistics, and the
// bit-exact save and restore of environments.
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "testlib.h"
#include "rl/venv.h"
#include "util/buf.h"
#include "util/ser.h"

static void random_action(rng *r, int n, double *a) {
    for (int j = 0; j < n; j++) a[j] = rng_range(r, -1.0, 1.0);
}

// 10,000 random-action control steps per task: no MuJoCo warning, finite observations.
static void test_random_rollouts_stable(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        err_info e = {0};
        venv *v = venv_new(t, 4, 7, NULL, &e);
        CHECK_MSG(v != NULL, "%s: %s", t->name, e.msg);
        if (!v) continue;
        rng r;
        rng_seed(&r, 99, 0);
        double a[64];
        int finite = 1;
        for (int s = 0; s < 2500; s++)
            for (int i = 0; i < 4; i++) {
                random_action(&r, t->act_dim, a);
                venv_step_out o;
                CHECK(venv_step(v, i, a, NULL, &o, &e) == ERR_OK);
                const float *obs = venv_obs(v, i);
                for (int j = 0; j < t->obs_dim; j++) finite &= isfinite(obs[j]);
            }
        venv_stats st;
        venv_harvest(v, &st);
        CHECK_MSG(st.unstable == 0, "%s: %ld unstable episodes in 10000 steps", t->name, st.unstable);
        CHECK_MSG(finite, "%s: non-finite observation", t->name);
        CHECK(st.steps == 10000);
        fprintf(stderr, "   %s: %ld episodes, mean length %.1f, mean fitness %.3f\n", t->name,
                st.episodes, st.episode_len_mean, st.fitness_mean);
        venv_free(v);
    }
}

// A test reward in plain C: two components, the second depends on the state's step.
static double two_terms(const void *state, reward_terms *t) {
    (void)state;
    return reward_term(t, "alive", 1.0) + reward_term(t, "half", 0.5);
}

static void test_harvest(void) {
    err_info e = {0};
    venv *v = venv_new(task_find("cartpole"), 3, 1, two_terms, &e);
    CHECK_MSG(v != NULL, "%s", e.msg);
    if (!v) return;
    double a[1] = {0.0};
    venv_step_out o;
    for (int s = 0; s < 600; s++)
        for (int i = 0; i < 3; i++) {
            CHECK(venv_step(v, i, a, NULL, &o, &e) == ERR_OK);
            CHECK(o.reward == 1.5);
        }
    venv_stats st;
    venv_harvest(v, &st);
    CHECK(st.steps == 1800);
    CHECK(st.n_terms == 2);
    CHECK(strcmp(st.names[0], "alive") == 0 && strcmp(st.names[1], "half") == 0);
    CHECK(fabs(st.term_mean[0] - 1.0) < 1e-12 && fabs(st.term_mean[1] - 0.5) < 1e-12);
    CHECK(fabs(st.reward_mean - 1.5) < 1e-12);
    CHECK(st.episodes >= 3);     // a = 0 lets the pole fall well within 500 steps
    CHECK(st.episode_len_mean > 1 && st.episode_len_mean < 500);
    CHECK(fabs(st.fitness_mean - st.episode_len_mean / 500.0) < 1e-9);
    venv_harvest(v, &st);        // cleared
    CHECK(st.steps == 0 && st.n_terms == 0 && st.episodes == 0);
    venv_free(v);
}

static double nan_at_17(const void *state, reward_terms *t) {
    // cartpole's env_state: step is the int after five doubles
    int step = *(const int *)((const char *)state + 5 * sizeof(double));
    double z = 0.0;
    reward_term(t, "ok", 1.0);
    return reward_term(t, "upright", step == 16 ? z / z : 1.0);
}

static void test_nonfinite(void) {
    err_info e = {0};
    venv *v = venv_new(task_find("cartpole"), 1, 1, nan_at_17, &e);
    if (!v) { CHECK_MSG(0, "%s", e.msg); return; }
    double a[1] = {0.0};
    venv_step_out o;
    int rc = ERR_OK, s = 0;
    for (; s < 30 && rc == ERR_OK; s++) rc = venv_step(v, 0, a, NULL, &o, &e);
    CHECK(rc == ERR_NONFINITE);
    CHECK(s == 17);
    CHECK_STR_CONTAINS(e.msg, "reward component 'upright' is NaN at step 17 of an episode");
    venv_free(v);
}

static double writes_state(const void *state, reward_terms *t) {
    ((double *)state)[0] += 1.0;
    return reward_term(t, "x", 1.0);
}

static double too_many(const void *state, reward_terms *t) {
    static const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
                                  "m", "n", "o", "p", "q"};
    for (int k = 0; k < 17; k++) reward_term(t, names[k], 1.0);
    return 1.0;
}

static double bad_name(const void *state, reward_terms *t) {
    return reward_term(t, "not a name", 1.0);
}

static double infinite_total(const void *state, reward_terms *t) {
    reward_term(t, "fine", 1.0);
    return 1.0 / 0.0;
}

static void expect_reward_error(reward_fn fn, int code, const char *needle) {
    err_info e = {0};
    venv *v = venv_new(task_find("cartpole"), 1, 1, fn, &e);
    if (!v) { CHECK_MSG(0, "%s", e.msg); return; }
    double a[1] = {0.0};
    venv_step_out o;
    CHECK(venv_step(v, 0, a, NULL, &o, &e) == code);
    CHECK_STR_CONTAINS(e.msg, needle);
    venv_free(v);
}

static void test_abi_violations(void) {
    expect_reward_error(writes_state, ERR_REWARD, "wrote to its state");
    expect_reward_error(too_many, ERR_REWARD, "more than 16");
    expect_reward_error(bad_name, ERR_REWARD, "not a C identifier");
    expect_reward_error(infinite_total, ERR_NONFINITE, "total reward is infinite at step 1");
}

// Run `steps` random-action steps on every env of v, env by env in index order, and
// return a checksum of observations and rewards.
typedef struct roll_job { venv *v; int first, stride, steps; double sum; } roll_job;

static void *roll(void *arg) {
    roll_job *j = arg;
    const task_def *t = venv_task(j->v);
    double a[64];
    for (int i = j->first; i < venv_count(j->v); i += j->stride) {
        rng r;
        rng_seed(&r, 1234, (uint64_t)i);
        for (int s = 0; s < j->steps; s++) {
            random_action(&r, t->act_dim, a);
            venv_step_out o;
            err_info e;
            venv_step(j->v, i, a, NULL, &o, &e);
            const float *obs = venv_obs(j->v, i);
            for (int k = 0; k < t->obs_dim; k++) j->sum += obs[k] * (1.0 + 1e-3 * (i + k));
            j->sum += o.reward + o.done * 7.0;
        }
    }
    return NULL;
}

static void test_determinism_and_threads(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        err_info e = {0};
        venv *a = venv_new(t, 4, 42, two_terms, &e), *b = venv_new(t, 4, 42, two_terms, &e);
        venv *c = venv_new(t, 4, 43, two_terms, &e);
        if (!a || !b || !c) { CHECK_MSG(0, "%s", e.msg); venv_free(a); venv_free(b); venv_free(c); continue; }
        CHECK_MSG(memcmp(venv_state(a, 2), venv_state(b, 2), t->state_size) == 0,
                  "%s: reset not deterministic", t->name);
        roll_job ja = {a, 0, 1, 300, 0}, jc = {c, 0, 1, 300, 0};
        roll(&ja);
        roll(&jc);
        roll_job j0 = {b, 0, 2, 300, 0}, j1 = {b, 1, 2, 300, 0};
        pthread_t th;
        pthread_create(&th, NULL, roll, &j1);
        roll(&j0);
        pthread_join(th, NULL);
        // Per-env sums differ in order of accumulation: compare per-env final states.
        int same = 1;
        for (int i = 0; i < 4; i++)
            same &= memcmp(venv_state(a, i), venv_state(b, i), t->state_size) == 0 &&
                    memcmp(venv_obs(a, i), venv_obs(b, i), t->obs_dim * sizeof(float)) == 0;
        CHECK_MSG(same, "%s: two threads differ from serial", t->name);
        CHECK_MSG(memcmp(venv_obs(a, 0), venv_obs(c, 0), t->obs_dim * sizeof(float)) != 0,
                  "%s: seed has no effect", t->name);
        venv_free(a);
        venv_free(b);
        venv_free(c);
    }
}

// A deterministic policy: a fixed linear map of the observation, squashed.
static void linear_policy(void *ctx, int thread, const float *obs, double *action) {
    const task_def *t = ctx;
    for (int j = 0; j < t->act_dim; j++) {
        double x = 0;
        for (int k = 0; k < t->obs_dim; k++) x += obs[k] * sin(1.0 + j * 7 + k * 3);
        action[j] = tanh(0.3 * x);
    }
}

static void test_evaluate_threads(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        err_info e = {0};
        venv *v = venv_new(t, 1, 1, NULL, &e);
        if (!v) { CHECK_MSG(0, "%s", e.msg); continue; }
        venv_eval r1 = {0}, r2 = {0}, r1b = {0}, rn = {0};
        CHECK(venv_evaluate(v, linear_policy, (void *)t, 1, 0, &r1, &e) == ERR_OK);
        CHECK(venv_evaluate(v, linear_policy, (void *)t, 2, 0, &r2, &e) == ERR_OK);
        CHECK(venv_evaluate(v, linear_policy, (void *)t, 1, t->n_eval, &r1b, &e) == ERR_OK);
        CHECK_MSG(r1.fitness == r2.fitness && r1.episode_len == r2.episode_len &&
                  r1.fitness_sd == r2.fitness_sd && r1.fitness == r1b.fitness,
                  "%s: %g/%g vs %g/%g", t->name, r1.fitness, r1.episode_len, r2.fitness, r2.episode_len);
        CHECK(r1.cases == t->n_eval && r1.fitness_sd >= 0);
        // The graded fitness: the fitness itself for a task without one; else in [0, 1],
        // 1 on every success, so at least the success rate, and threads do not change it.
        CHECK(r1.graded == r2.graded);
        if (!t->graded) CHECK(r1.graded == r1.fitness);
        else CHECK_MSG(t->success_rate && r1.graded >= r1.fitness && r1.graded <= 1.0,
                       "%s: graded %g, success rate %g", t->name, r1.graded, r1.fitness);
        CHECK(r1.episode_len >= 1 && r1.episode_len <= t->episode_steps);
        // Cases beyond n_eval continue the same streams: the first n_eval of a larger set
        // are the default set, so the sums nest.
        CHECK(venv_evaluate(v, linear_policy, (void *)t, 2, t->n_eval + 3, &rn, &e) == ERR_OK);
        CHECK(rn.cases == t->n_eval + 3);
        venv_eval one = {0}, two = {0};
        CHECK(venv_evaluate(v, linear_policy, (void *)t, 1, 1, &one, &e) == ERR_OK && one.cases == 1 &&
              one.fitness_sd == 0);
        CHECK(venv_evaluate(v, linear_policy, (void *)t, 2, 2, &two, &e) == ERR_OK);
        // Case 0 is the same episode in a set of one and a set of two (sd of two values).
        double c1 = 2 * two.fitness - one.fitness;
        CHECK_MSG(fabs(two.fitness_sd - fabs(c1 - one.fitness) / sqrt(2.0)) < 1e-9,
                  "%s: sets do not nest", t->name);
        // A success rate's per-case sd follows from the rate.
        if (!strcmp(t->name, "reorient")) {
            double p = r1.fitness, m = r1.cases;
            CHECK_MSG(fabs(r1.fitness_sd - sqrt(m / (m - 1) * p * (1 - p))) < 1e-12, "sd %g, rate %g",
                      r1.fitness_sd, p);
        }
        fprintf(stderr, "   %s: linear policy fitness %.4f (sd %.4f), length %.1f\n", t->name,
                r1.fitness, r1.fitness_sd, r1.episode_len);
        venv_free(v);
    }
    venv *v = venv_new(task_find("cartpole"), 1, 1, NULL, NULL);
    err_info e = {0};
    CHECK(v && venv_evaluate(v, linear_policy, (void *)task_find("cartpole"), 1, VENV_MAX_CASES + 1,
                             NULL, &e) == ERR_LIMIT);
    venv_free(v);
}

// Save every environment after some steps, restore into fresh environments, and step both
// the same way: MuJoCo's input state is all it needs, so the trajectories stay identical
// bit for bit (observations, env_state, episode ends) on every task.
static void test_save_load(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        err_info e = {0};
        venv *a = venv_new(t, 3, 5, two_terms, &e), *b = venv_new(t, 3, 77, two_terms, &e);
        if (!a || !b) { CHECK_MSG(0, "%s", e.msg); venv_free(a); venv_free(b); continue; }
        rng r;
        rng_seed(&r, 3, 0);
        double act[64];
        venv_step_out o;
        for (int s = 0; s < 2 * t->episode_steps / 3; s++)
            for (int i = 0; i < 3; i++) {
                random_action(&r, t->act_dim, act);
                venv_step(a, i, act, NULL, &o, &e);
            }
        buf saved;
        buf_init(&saved, 1 << 26);
        venv_save(a, &saved);
        CHECK(!saved.failed);
        ser_reader rd;
        ser_reader_init(&rd, saved.p, saved.len);
        CHECK_MSG(venv_load(b, &rd, &e) == ERR_OK && rd.pos == rd.len, "%s: %s", t->name, e.msg);
        int same = 1, ends = 0;
        float fa[512], fb[512];
        for (int s = 0; s < t->episode_steps; s++)
            for (int i = 0; i < 3; i++) {
                random_action(&r, t->act_dim, act);
                venv_step_out oa, ob;
                venv_step(a, i, act, fa, &oa, &e);
                venv_step(b, i, act, fb, &ob, &e);
                same &= oa.done == ob.done && oa.truncated == ob.truncated && oa.reward == ob.reward;
                same &= memcmp(venv_obs(a, i), venv_obs(b, i), t->obs_dim * sizeof(float)) == 0;
                same &= memcmp(venv_state(a, i), venv_state(b, i), t->state_size) == 0;
                if (oa.done) same &= memcmp(fa, fb, t->obs_dim * sizeof(float)) == 0;
                ends += oa.done;
            }
        CHECK_MSG(same, "%s: restored environments diverge", t->name);
        CHECK_MSG(ends >= 3, "%s: only %d episode ends after the restore", t->name, ends);
        venv_stats sa, sb;
        venv_harvest(a, &sa);
        venv_harvest(b, &sb);
        CHECK(memcmp(&sa, &sb, sizeof sa) == 0);
        // The wrong count, a truncation, or a task instance the task rejects: refused.
        venv *c = venv_new(t, 2, 5, NULL, &e);
        ser_reader_init(&rd, saved.p, saved.len);
        CHECK(c && venv_load(c, &rd, &e) == ERR_PARSE);
        venv_free(c);
        ser_reader_init(&rd, saved.p, saved.len - 9);
        CHECK(venv_load(b, &rd, &e) == ERR_PARSE);
        buf_free(&saved);
        venv_free(a);
        venv_free(b);
    }
}

int main(void) {
    TEST_RUN(test_random_rollouts_stable);
    TEST_RUN(test_harvest);
    TEST_RUN(test_nonfinite);
    TEST_RUN(test_abi_violations);
    TEST_RUN(test_determinism_and_threads);
    TEST_RUN(test_evaluate_threads);
    TEST_RUN(test_save_load);
    TEST_END();
}
