// test_explore.c: gSDE and LATTICE noise. The covariance derived in explore.h matches a
// Monte-Carlo estimate from the noise matrices themselves, the log-probability is a
// normalised density of that noise (its mean over samples is minus the entropy), and the
// gradients match finite differences.
#include <math.h>
#include <stdlib.h>

#include "rl/explore.h"
#include "testlib.h"

#define D 12
#define AD 4

typedef struct setup {
    int kind;
    float x[D], W[D * AD], log_s[D * AD + D * D], s2[D * AD + D * D];
} setup;

static void make(setup *s, int kind, uint64_t seed) {
    rng r;
    rng_seed(&r, seed, 0);
    s->kind = kind;
    for (int i = 0; i < D; i++) s->x[i] = (float)tanh(rng_normal(&r));
    for (int k = 0; k < D * AD; k++) s->W[k] = (float)(0.5 * rng_normal(&r));
    for (int k = 0; k < D * AD + D * D; k++) s->log_s[k] = (float)rng_range(&r, -2.0, 0.0);
    explore_scales(kind, D, AD, s->log_s, s->s2);
}

static double logp_of(const setup *s, const double *r) {
    double sigma[AD * AD], v[D], work[3 * AD * AD + 2 * AD + D];
    explore_cov(s->kind, D, AD, s->x, s->W, s->s2, sigma, v);
    return explore_logp(AD, sigma, r, NULL, NULL, work);
}

static void test_monte_carlo(void) {
    for (int kind = EXPLORE_GSDE; kind <= EXPLORE_LATTICE; kind++) {
        setup s;
        make(&s, kind, 7 + (uint64_t)kind);
        double sigma[AD * AD], v[D], work[3 * AD * AD + 2 * AD + D];
        explore_cov(kind, D, AD, s.x, s.W, s.s2, sigma, v);
        double want[AD * AD];
        memcpy(want, sigma, sizeof want);
        double ent = 0;
        {
            double chol[AD * AD];
            memcpy(chol, sigma, sizeof chol);
            double r0[AD] = {0};
            explore_logp(AD, chol, r0, NULL, NULL, work);
            ent = explore_entropy(AD, chol, NULL, work);
        }
        rng r;
        rng_seed(&r, 99, (uint64_t)kind);
        int n = 100000;
        double cov[AD * AD] = {0}, mean[AD] = {0}, lp_sum = 0;
        float P[D * AD + D * D], eps[AD];
        for (int t = 0; t < n; t++) {
            explore_sample(kind, D, AD, s.s2, &r, P);
            explore_noise(kind, D, AD, s.x, s.W, P, eps);
            double e[AD];
            for (int j = 0; j < AD; j++) { e[j] = eps[j]; mean[j] += e[j] / n; }
            for (int j = 0; j < AD; j++)
                for (int l = 0; l < AD; l++) cov[j * AD + l] += e[j] * e[l] / n;
            lp_sum += logp_of(&s, e);
        }
        double err = 0, norm = 0, offdiag = 0;
        for (int j = 0; j < AD; j++)
            for (int l = 0; l < AD; l++) {
                double w = want[j * AD + l] - (j == l ? EXPLORE_JITTER : 0);
                err += (cov[j * AD + l] - w) * (cov[j * AD + l] - w);
                norm += w * w;
                if (j != l) offdiag += fabs(w);
            }
        CHECK_MSG(sqrt(err / norm) < 0.02, "%s: Monte-Carlo covariance off by %.3f", explore_name(kind),
                  sqrt(err / norm));
        // gSDE's noise is independent per actuator; LATTICE's is correlated.
        if (kind == EXPLORE_GSDE) CHECK(offdiag == 0);
        else CHECK(offdiag > 0.1 * sqrt(norm));
        for (int j = 0; j < AD; j++) CHECK(fabs(mean[j]) < 0.01 * sqrt(want[j * AD + j]) * 10);
        // E[log p(noise)] = -entropy for a normalised density of this noise.
        double lp_mean = lp_sum / n;
        CHECK_MSG(fabs(lp_mean + ent) < 0.02, "%s: mean log-prob %.4f, -entropy %.4f",
                  explore_name(kind), lp_mean, -ent);
        fprintf(stderr, "   %s: covariance within %.2f%%, mean log-prob %.4f vs -entropy %.4f\n",
                explore_name(kind), 100 * sqrt(err / norm), lp_mean, -ent);
    }
}

// dlogp/dmu, dlogp/dlog_s and dlogp/dW (through Sigma) against central differences.
static void test_gradients(void) {
    for (int kind = EXPLORE_GSDE; kind <= EXPLORE_LATTICE; kind++) {
        setup s;
        make(&s, kind, 21 + (uint64_t)kind);
        double r[AD] = {0.3, -0.2, 0.05, 0.4};
        double sigma[AD * AD], v[D], work[3 * AD * AD + 2 * AD + D], sr[AD], G[AD * AD];
        explore_cov(kind, D, AD, s.x, s.W, s.s2, sigma, v);
        explore_logp(AD, sigma, r, sr, G, work);
        int np = explore_n_params(kind, D, AD);
        float *gl = calloc((size_t)np, sizeof(float)), gW[D * AD] = {0};
        explore_backward(kind, D, AD, s.x, s.W, s.s2, v, G, 1.0, gl, gW, work);
        double h = 1e-3, worst = 0;
        for (int j = 0; j < AD; j++) {     // r = a - mu: dlogp/dmu = -dlogp/dr
            double rp[AD], rm[AD];
            memcpy(rp, r, sizeof rp); memcpy(rm, r, sizeof rm);
            rp[j] += h; rm[j] -= h;
            double num = -(logp_of(&s, rp) - logp_of(&s, rm)) / (2 * h);
            worst = fmax(worst, fabs(num - sr[j]) / (fabs(num) + 1e-3));
        }
        for (int k = 0; k < np; k += 7) {
            setup a = s, b = s;
            a.log_s[k] += (float)h; b.log_s[k] -= (float)h;
            explore_scales(kind, D, AD, a.log_s, a.s2);
            explore_scales(kind, D, AD, b.log_s, b.s2);
            double num = (logp_of(&a, r) - logp_of(&b, r)) / (2 * h);
            worst = fmax(worst, fabs(num - gl[k]) / (fabs(num) + 1e-3));
        }
        for (int k = 0; kind == EXPLORE_LATTICE && k < D * AD; k += 3) {
            setup a = s, b = s;
            a.W[k] += (float)h; b.W[k] -= (float)h;
            double num = (logp_of(&a, r) - logp_of(&b, r)) / (2 * h);
            worst = fmax(worst, fabs(num - gW[k]) / (fabs(num) + 1e-3));
        }
        CHECK_MSG(worst < 2e-2, "%s: worst relative gradient error %g", explore_name(kind), worst);
        free(gl);
    }
    CHECK(explore_parse("lattice") == EXPLORE_LATTICE && explore_parse("gsde") == EXPLORE_GSDE &&
          explore_parse("gaussian") == EXPLORE_GAUSSIAN && explore_parse("x") == -1);
    CHECK(explore_n_params(EXPLORE_LATTICE, 64, 9) == 64 * 9 + 64 * 64);
}

// The names --exploration takes, and which kinds keep the plain Gaussian policy noise
// (dep interrupts that policy, it does not change its density).
static void test_names(void) {
    const char *names[] = {"gaussian", "gsde", "lattice", "dep"};
    for (int k = 0; k < 4; k++) {
        CHECK(explore_parse(names[k]) == k);
        CHECK(explore_name(k) && !strcmp(explore_name(k), names[k]));
    }
    CHECK(explore_parse("DEP") == -1 && explore_parse(NULL) == -1 && explore_name(4) == NULL);
    CHECK(explore_is_gaussian(EXPLORE_GAUSSIAN) && explore_is_gaussian(EXPLORE_DEP));
    CHECK(!explore_is_gaussian(EXPLORE_GSDE) && !explore_is_gaussian(EXPLORE_LATTICE));
    CHECK(explore_n_params(EXPLORE_DEP, 64, 9) == 9 && explore_n_noise(EXPLORE_DEP, 64, 9) == 0);
}

int main(void) {
    TEST_RUN(test_names);
    TEST_RUN(test_monte_carlo);
    TEST_RUN(test_gradients);
    TEST_END();
}
