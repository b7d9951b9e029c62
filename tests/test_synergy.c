// test_synergy.c: the PCA on synthetic trajectories of known rank (three latent signals
// mixed into nine joints need three components, whatever the mixing), degenerate inputs,
// and rollouts of a policy recording every step of its held-out episodes.
#include <math.h>
#include <stdlib.h>

#include "rl/synergy.h"
#include "testlib.h"

// n samples of k joints driven by r latent sinusoids through a random mixing, plus
// noise of standard deviation sd.
static double *trajectory(long n, int k, int r, double sd, uint64_t seed) {
    rng g;
    rng_seed(&g, seed, 0);
    double mix[8][SYNERGY_MAX_DIMS];
    for (int l = 0; l < r; l++)
        for (int i = 0; i < k; i++) mix[l][i] = rng_normal(&g);
    double *x = malloc(sizeof(double) * (size_t)n * k);
    for (long s = 0; s < n; s++)
        for (int i = 0; i < k; i++) {
            double v = 0.3;                          // an offset the PCA must remove
            for (int l = 0; l < r; l++) v += mix[l][i] * sin(0.01 * (double)s * (l + 1) * 1.7 + l);
            x[s * k + i] = v + sd * rng_normal(&g);
        }
    return x;
}

static void test_known_rank(void) {
    for (int r = 1; r <= 4; r++) {
        synergy_spectrum sp;
        double *x = trajectory(3000, 9, r, 1e-4, 7 + (uint64_t)r);
        err_info e = {0};
        CHECK(synergy_pca(x, 3000, 9, &sp, &e) == ERR_OK);
        double top = 0, sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += sp.explained[i];
            if (i < r) top += sp.explained[i];
            if (i > 0) CHECK(sp.variance[i] <= sp.variance[i - 1]);
        }
        CHECK(fabs(sum - 1) < 1e-9);
        CHECK_MSG(top > 0.99999, "rank %d: the first %d components explain %.6f", r, r, top);
        CHECK_MSG(sp.k95 <= r && sp.k80 <= sp.k90 && sp.k90 <= sp.k95 && sp.k80 >= 1,
                  "rank %d: k80 %d k90 %d k95 %d", r, sp.k80, sp.k90, sp.k95);
        CHECK(sp.variance[r] < 1e-6 * sp.variance[0]);
        free(x);
    }
    // Independent joints of equal variance: every component explains about 1/k.
    synergy_spectrum sp;
    double *x = trajectory(20000, 6, 0, 1.0, 3);
    CHECK(synergy_pca(x, 20000, 6, &sp, NULL) == ERR_OK);
    CHECK(sp.k95 == 6 && sp.explained[0] < 0.25 && sp.explained[5] > 0.1);
    free(x);
    // A constant trajectory has no variance; too few samples or too many variables fail.
    double c[20] = {0};
    CHECK(synergy_pca(c, 10, 2, &sp, NULL) == ERR_OK && sp.total == 0 && sp.k95 == 0);
    CHECK(synergy_pca(c, 1, 2, &sp, NULL) == ERR_USAGE);
    CHECK(synergy_pca(c, 10, SYNERGY_MAX_DIMS + 1, &sp, NULL) == ERR_USAGE);
}

// A zero-weight policy on cartpole: one recorded row per control step, actions 0, so no
// action energy; the actuator velocities are the cart's.
static void test_rollout(void) {
    const task_def *t = task_find("cartpole");
    err_info e = {0};
    policy *p = policy_new(t, 8, &e);
    if (!p) { CHECK(0); return; }
    synergy_data d;
    CHECK_MSG(synergy_rollout(p, 3, &d, &e) == ERR_OK, "%s", e.msg);
    CHECK(d.episodes == 3 && d.ad == 1 && d.nu == 1 && d.steps >= 3);
    CHECK(d.steps <= 3L * t->episode_steps);
    double vmax = 0;
    for (long s = 0; s < d.steps; s++) vmax = fmax(vmax, fabs(d.velocities[s]));
    CHECK(vmax > 0 && d.action_sq == 0 && d.energy == 0);
    CHECK(d.fitness > 0 && d.fitness <= 1);
    // The steps are the episodes' lengths: the fitness of cartpole is length / 500.
    CHECK(fabs(d.fitness * t->episode_steps * 3 - (double)d.steps) < 1e-6);
    synergy_data_free(&d);
    CHECK(synergy_rollout(p, 100000, &d, &e) == ERR_USAGE);
    policy_free(p);
}

int main(void) {
    TEST_RUN(test_known_rank);
    TEST_RUN(test_rollout);
    TEST_END();
}
