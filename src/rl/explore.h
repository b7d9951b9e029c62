// explore.h: state-dependent exploration noise for the PPO policy, and its density.
//
// The policy's mean is mu = W^T x + b, with x the actor's last hidden layer (d units) and
// W its output weights (d x ad, stored W[in][out] as in mlp.h). Three ways to explore:
//   gaussian  a = mu + eps, eps ~ N(0, diag(exp(2 log_std)))   (ppo.c's default path)
//   gsde      a = mu + P_a^T x (Raffin et al. 2021: generalized state-dependent
//             exploration), P_a (d x ad) with P_a[i][j] ~ N(0, s_a[i][j]^2)
//   lattice   a = mu + P_a^T x + W^T (P_x^T x) (Chiappa et al. 2023: latent exploration),
//             adding P_x (d x d), P_x[i][k] ~ N(0, s_x[i][k]^2): noise in the latent,
//             passed through W, is correlated across actuators
//   dep       the gaussian policy, interrupted now and then by a DEP controller (rl/dep.h;
//             Schumacher et al. 2023, DEP-RL) whose steps stay out of the loss (ppo.c);
//             for everything in this file it is the gaussian
// The matrices are drawn per environment and kept for several steps (--noise-period).
// For a given x they make a Gaussian over actions, whose log-probability PPO uses (the
// marginal over the matrices, as stable-baselines3 does):
//   c_j = sum_i x_i^2 s_a[i][j]^2                  (independent action noise)
//   v_k = sum_i x_i^2 s_x[i][k]^2                  (variance of latent unit k)
//   Sigma = diag(c) + W^T diag(v) W + eps I         (lattice; gsde has v = 0)
// so gsde's Sigma is diagonal and lattice's full. x is treated as a constant (the noise
// does not train the features); W is not: its gradient has a term through Sigma.
// The learned parameters are log s, stored [d x ad] (s_a) then, for lattice, [d x d]
// (s_x), each clamped to [EXPLORE_LOG_MIN, 0] and shifted by -0.5 log d (so the action
// noise does not grow with the width of the layer, as in the LATTICE implementation).
#ifndef EUREKA_EXPLORE_H
#define EUREKA_EXPLORE_H

#include "util/rng.h"

typedef enum explore_kind {
    EXPLORE_GAUSSIAN = 0, EXPLORE_GSDE = 1, EXPLORE_LATTICE = 2, EXPLORE_DEP = 3
} explore_kind;

#define EXPLORE_LOG_MIN (-6.907755278982137)    // log 1e-3
#define EXPLORE_JITTER 1e-6                     // added to Sigma's diagonal
#define EXPLORE_MAX_ACT 64
#define EXPLORE_MAX_LATENT 1024                 // d (the policy's hidden width)

// "gaussian", "gsde", "lattice", "dep"; NULL for another value.
const char *explore_name(int kind);

// 1 when the policy's own noise is the plain diagonal Gaussian (gaussian, dep).
int explore_is_gaussian(int kind);

// The kind named name, or -1.
int explore_parse(const char *name);

// Learned log-std parameters: ad (gaussian, dep), d * ad (gsde), d * ad + d * d (lattice).
int explore_n_params(int kind, int d, int ad);

// Noise matrices drawn per environment: 0 (gaussian, dep), d * ad, d * ad + d * d.
int explore_n_noise(int kind, int d, int ad);

// Doubles of scratch explore_logp and explore_backward need.
int explore_work_size(int d, int ad);

// The variances the parameters stand for, s^2 = exp(2 log_s) / d (explore_n_params
// floats; for gaussian exp(2 log_std)), computed once per set of parameters: everything
// below takes them instead of log_s.
void explore_scales(int kind, int d, int ad, const float *log_s, float *s2);

// Draw an environment's noise matrices P (explore_n_noise floats, laid out as the
// parameters) from r, each entry N(0, s^2).
void explore_sample(int kind, int d, int ad, const float *s2, rng *r, float *P);

// The noise of one step: eps (ad) = P_a^T x (+ W^T (P_x^T x) for lattice).
void explore_noise(int kind, int d, int ad, const float *x, const float *W, const float *P,
                   float *eps);

// Sigma (ad x ad, row-major) for latent x; v (d) gets the latent variances (0 for gsde).
void explore_cov(int kind, int d, int ad, const float *x, const float *W, const float *s2,
                 double *sigma, double *v);

// log N(r; 0, Sigma) for r = a - mu. When sinv_r is non-NULL it gets Sigma^-1 r (= dlogp/dmu)
// and G (ad x ad) gets dlogp/dSigma = (Sigma^-1 r r^T Sigma^-1 - Sigma^-1) / 2. Sigma is
// overwritten with its Cholesky factor. work: explore_work_size doubles.
double explore_logp(int ad, double *sigma, const double *r, double *sinv_r, double *G,
                    double *work);

// 0.5 log det(2 pi e Sigma) from the Cholesky factor explore_logp left in sigma; when
// dent is non-NULL it gets dH/dSigma = Sigma^-1 / 2 (ad x ad). work: explore_work_size.
double explore_entropy(int ad, const double *chol, double *dent, double *work);

// Chain dL/dSigma = scale * G (symmetric, ad x ad) back to the parameters: adds to
// g_log_s (explore_n_params floats) and, for lattice, to gW (d x ad, the gradient of W).
void explore_backward(int kind, int d, int ad, const float *x, const float *W,
                      const float *s2, const double *v, const double *G, double scale,
                      float *g_log_s, float *gW, double *work);

#endif
