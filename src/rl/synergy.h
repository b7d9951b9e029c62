// synergy.h: how many independent patterns a policy's movements use, and what they cost.
//
// Motor synergies (the course's lecture 13): a hand with nine actuated joints that only
// ever moves in three coordinated patterns has three synergies. A policy is rolled out
// deterministically on the task's held-out episodes (as its fitness is measured); the
// per-step actions and actuator (joint) velocities go through a principal component
// analysis: the variance each component explains, and how many components it takes to
// explain 80, 90 and 95% of it. On a task with muscles (MuJoCo actuators with muscle
// dynamics), the muscles' activations (d->act, the excitation low-pass filtered by the
// muscle's activation dynamics) get the same analysis: the synergies of the muscles
// rather than of the commands. The same rollouts give the energy the policy spends:
// per episode, the sum over control steps of sum_i |actuator force_i x velocity_i|, and
// of sum_i a_i^2. `eureka analyze` prints them.
#ifndef EUREKA_SYNERGY_H
#define EUREKA_SYNERGY_H

#include "util/err.h"
#include "rl/policy.h"

#define SYNERGY_MAX_DIMS 64

// Principal components of n samples of k variables.
typedef struct synergy_spectrum {
    int dims;                           // k
    double variance[SYNERGY_MAX_DIMS];  // per component, largest first
    double explained[SYNERGY_MAX_DIMS]; // variance / total (sums to 1; 0s when total is 0)
    double total;                       // total variance (trace of the covariance)
    int k80, k90, k95;                  // components needed for 80 / 90 / 95% of it
} synergy_spectrum;

// PCA of x[n][k] (row-major): the eigenvalues of the sample covariance (Jacobi rotations,
// exact for k <= SYNERGY_MAX_DIMS). ERR_USAGE for n < 2 or k outside 1..SYNERGY_MAX_DIMS.
int synergy_pca(const double *x, long n, int k, synergy_spectrum *out, err_info *e);

// What the rollouts of a policy recorded.
typedef struct synergy_data {
    int episodes;
    long steps;                 // control steps over all episodes
    int ad, nu;                 // action and actuator counts
    int nm;                     // muscles (0 on a task without)
    double *actions;            // [steps][ad], the actions applied (in [-1, 1])
    double *velocities;         // [steps][nu], actuator velocities after each step
    double *activations;        // [steps][nm], the muscles' activations after each step
    double fitness;             // mean task fitness of the episodes
    double energy;              // mean per episode: sum over steps of sum |force x velocity|
    double action_sq;           // mean per episode: sum over steps of sum a^2
    double activation_sq;       // mean per episode: sum over steps of sum of muscle activation^2
} synergy_data;

// The muscles of m: fills idx (m->nu entries at most) with the index into d->act of each
// muscle actuator's activation, in actuator order; returns their number (0 if none).
int synergy_muscles(const mjModel *m, int *idx);

// Roll p out on held-out cases 0..episodes-1 (<= 0: the task's n_eval) and record them.
int synergy_rollout(const policy *p, int episodes, synergy_data *out, err_info *e);

void synergy_data_free(synergy_data *d);

#endif
