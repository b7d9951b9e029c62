// test_synergy.c: the PCA on synthetic trajectories of known rank (three latent signals
// mixed into nine joints need three components, whatever the mixing), degenerate inputs,
// rollouts of a policy recording every step of its held-out episodes, and the muscle
// activations of a tiny synthetic muscle model.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
    CHECK(d.nm == 0);   // cartpole has a motor, no muscle
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

// Two arm segments in a plane, a motor and four muscles (an agonist-antagonist pair per
// joint), with the muscles' excitations driven by two latent signals.
static const char muscle_xml[] =
    "<mujoco><option timestep='0.005' gravity='0 0 0'/>"
    "<worldbody><body><joint name='j0' axis='0 0 1' limited='true' range='-1 1'/>"
    "<geom type='capsule' size='0.02' fromto='0 0 0 0.2 0 0' mass='0.1'/>"
    "<body pos='0.2 0 0'><joint name='j1' axis='0 0 1' limited='true' range='-1 1'/>"
    "<geom type='capsule' size='0.02' fromto='0 0 0 0.2 0 0' mass='0.1'/></body></body></worldbody>"
    "<actuator><motor joint='j0' gear='0.1'/>"
    "<muscle joint='j0'/><muscle joint='j0' gear='-1'/><muscle joint='j1'/><muscle joint='j1' gear='-1'/>"
    "</actuator></mujoco>";

// synergy_muscles finds the four muscles' activations (not the motor), and the
// activations of excitations mixed from two latent signals need two components.
static void test_muscles(void) {
    char path[] = "/tmp/eureka_test_muscleXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "w");
    fputs(muscle_xml, f);
    fclose(f);
    char err[500] = "";
    mjModel *m = mj_loadXML(path, NULL, err, sizeof err);
    unlink(path);
    CHECK_MSG(m != NULL, "%s", err);
    if (!m) return;
    int idx[8];
    int nm = synergy_muscles(m, idx);
    CHECK(m->nu == 5 && m->na == 4 && nm == 4);
    for (int i = 0; i < nm; i++) CHECK(idx[i] == i);
    mjData *d = mj_makeData(m);
    long n = 4000;
    double *x = malloc(sizeof(double) * (size_t)n * nm);
    for (long s = 0; s < n && x; s++) {
        double t = 0.02 * (double)s, s1 = sin(1.1 * t), s2 = sin(2.9 * t + 1.0);
        double mix[4] = {0.5 + 0.4 * s1, 0.5 - 0.4 * s1, 0.5 + 0.3 * s2, 0.5 + 0.2 * s1 - 0.2 * s2};
        d->ctrl[0] = 0;
        for (int i = 0; i < 4; i++) d->ctrl[1 + i] = mix[i];
        mj_step(m, d);
        for (int i = 0; i < nm; i++) x[s * nm + i] = d->act[idx[i]];
    }
    synergy_spectrum sp;
    err_info e = {0};
    CHECK(x && synergy_pca(x + 200 * nm, n - 200, nm, &sp, &e) == ERR_OK);   // past the start-up
    fprintf(stderr, "   muscles: %d activations, explained %.4f %.4f %.4f %.4f, k95 %d\n", sp.dims,
            sp.explained[0], sp.explained[1], sp.explained[2], sp.explained[3], sp.k95);
    CHECK(sp.dims == 4 && sp.k95 == 2 && sp.explained[0] + sp.explained[1] > 0.99);
    free(x);
    mj_deleteData(d);
    mj_deleteModel(m);
}

int main(void) {
    TEST_RUN(test_known_rank);
    TEST_RUN(test_rollout);
    TEST_RUN(test_muscles);
    TEST_END();
}
