// test_policy.c: the deterministic policy of a training outside the trainer: train.json's
// "policy" object round-trips exactly, acts the same after loading, measures the same
// fitness on any thread count, and a policy from a damaged or foreign file is refused.
#include <math.h>
#include <stdlib.h>

#include "rl/policy.h"
#include "testlib.h"

// A policy of task t with weights drawn from seed (as a trained one would have).
static policy *random_policy(const task_def *t, uint64_t seed) {
    err_info e = {0};
    policy *p = policy_new(t, 16, &e);
    CHECK_MSG(p != NULL, "%s", e.msg);
    if (!p) return NULL;
    int n = policy_n_params(p), od = t->obs_dim;
    float *w = malloc((size_t)n * sizeof *w), *m = malloc((size_t)od * sizeof *m),
          *s = malloc((size_t)od * sizeof *s);
    rng r;
    rng_seed(&r, seed, 0);
    for (int k = 0; k < n; k++) w[k] = (float)(0.4 * rng_normal(&r));
    for (int k = 0; k < od; k++) {
        m[k] = (float)(0.1 * rng_normal(&r));
        s[k] = (float)rng_range(&r, 0.5, 2.0);
    }
    policy_set(p, w, m, s);
    free(w); free(m); free(s);
    return p;
}

static void test_round_trip(void) {
    const task_def *t = task_find("reorient");
    policy *p = random_policy(t, 1), *q = NULL;
    if (!p) return;
    cJSON *train = cJSON_CreateObject();
    cJSON_AddItemToObject(train, "policy", policy_to_json(p));
    err_info e = {0};
    CHECK_MSG(policy_from_json(t, train, &q, &e) == ERR_OK, "%s", e.msg);
    if (q) {
        // Same actions for the same observations, including ones far outside the
        // normalisation (clipped) and beyond the action range.
        float *sp = calloc((size_t)policy_scratch_size(p), sizeof(float));
        float *sq = calloc((size_t)policy_scratch_size(q), sizeof(float));
        rng r;
        rng_seed(&r, 2, 0);
        int same = 1, in_range = 1;
        for (int i = 0; i < 200; i++) {
            float obs[64];
            double a[16], b[16];
            for (int k = 0; k < t->obs_dim; k++) obs[k] = (float)(10 * rng_normal(&r));
            policy_act(p, obs, a, sp);
            policy_act(q, obs, b, sq);
            same &= memcmp(a, b, (size_t)t->act_dim * sizeof(double)) == 0;
            for (int k = 0; k < t->act_dim; k++) in_range &= a[k] >= -1 && a[k] <= 1;
        }
        CHECK(same && in_range);
        free(sp); free(sq);
        // Fitness: the same for 1 and 2 threads, and through policy_evaluate.
        venv_eval f1, f2, f3;
        CHECK(policy_fitness(t, p, 1, 0, &f1, &e) == ERR_OK);
        CHECK(policy_fitness(t, q, 2, 0, &f2, &e) == ERR_OK);
        venv *v = venv_new(t, 2, 9, NULL, &e);
        pool *pl = pool_new(2, &e);
        CHECK(v && pl && policy_evaluate(q, v, pl, 0, &f3, &e) == ERR_OK);
        venv_free(v);
        CHECK(f1.fitness == f2.fitness && f1.fitness_sd == f2.fitness_sd && f1.fitness == f3.fitness);
        CHECK(f1.cases == t->n_eval);
        // A policy for another task is refused by policy_evaluate.
        v = venv_new(task_find("cartpole"), 2, 9, NULL, &e);
        CHECK(v && policy_evaluate(q, v, pl, 0, &f3, &e) == ERR_INTERNAL);
        venv_free(v);
        // ... and so is a pool with more threads than environments.
        v = venv_new(t, 1, 9, NULL, &e);
        CHECK(v && policy_evaluate(q, v, pl, 0, &f3, &e) == ERR_INTERNAL);
        venv_free(v);
        pool_free(pl);
    }
    policy_free(q);
    cJSON_Delete(train);
    policy_free(p);
}

// Load a policy object given as text for task t: the error code.
static int load_text(const task_def *t, const char *text, err_info *e) {
    cJSON *j = cJSON_Parse(text);
    CHECK_MSG(j != NULL, "bad test JSON %s", text);
    policy *p = NULL;
    int rc = policy_from_json(t, j, &p, e);
    CHECK((rc == ERR_OK) == (p != NULL));
    policy_free(p);
    cJSON_Delete(j);
    return rc;
}

static void test_refused(void) {
    const task_def *cp = task_find("cartpole"), *ro = task_find("reorient");
    err_info e = {0};
    // A valid cartpole policy of hidden 2: 4*2+2 + 2*2+2 + 2*1+1 = 19 weights.
    const char *ok = "{\"hidden\":2,\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1],"
                     "\"actor\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}";
    CHECK_MSG(load_text(cp, ok, &e) == ERR_OK, "%s", e.msg);
    CHECK(load_text(ro, ok, &e) == ERR_PARSE);
    CHECK_STR_CONTAINS(e.msg, "task reorient");
    const char *bad[] = {
        "{}",
        "{\"policy\":[]}",
        "{\"hidden\":0,\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1],\"actor\":[]}",
        "{\"hidden\":1e9,\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1],\"actor\":[]}",
        "{\"hidden\":1.5,\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1],\"actor\":[]}",
        "{\"hidden\":\"2\",\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1],\"actor\":[]}",
        "{\"hidden\":2,\"obs_mean\":[0,0,0],\"obs_inv_std\":[1,1,1,1],"
        "\"actor\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}",
        "{\"hidden\":2,\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1e999],"
        "\"actor\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}",
        "{\"hidden\":2,\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1],"
        "\"actor\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,1e39]}",
        "{\"hidden\":2,\"obs_mean\":[0,0,0,\"x\"],\"obs_inv_std\":[1,1,1,1],"
        "\"actor\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}",
        "{\"hidden\":2,\"obs_mean\":[0,0,0,0],\"obs_inv_std\":[1,1,1,1],"
        "\"actor\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(load_text(cp, bad[i], &e) == ERR_PARSE, "accepted %s", bad[i]);
}

int main(void) {
    TEST_RUN(test_round_trip);
    TEST_RUN(test_refused);
    TEST_END();
}
