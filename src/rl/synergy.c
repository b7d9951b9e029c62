// synergy.c: principal components of a policy's movements, and their energy (see
// synergy.h).
#include "rl/synergy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SYNERGY_MAX_EPISODES 5000

// Eigenvalues of the symmetric a (k x k, destroyed) by cyclic Jacobi rotations.
static void jacobi_eigenvalues(double *a, int k, double *eig) {
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0, diag = 0;
        for (int i = 0; i < k; i++) {
            diag += a[i * k + i] * a[i * k + i];
            for (int j = i + 1; j < k; j++) off += a[i * k + j] * a[i * k + j];
        }
        if (off <= 1e-30 * (diag + 1e-300)) break;
        for (int p = 0; p < k; p++)
            for (int q = p + 1; q < k; q++) {
                double apq = a[p * k + q];
                if (apq == 0) continue;
                double theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int r = 0; r < k; r++) {       // columns p and q
                    double arp = a[r * k + p], arq = a[r * k + q];
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for (int r = 0; r < k; r++) {       // rows p and q
                    double apr = a[p * k + r], aqr = a[q * k + r];
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
            }
    }
    for (int i = 0; i < k; i++) eig[i] = a[i * k + i];
}

static int cmp_desc(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

int synergy_pca(const double *x, long n, int k, synergy_spectrum *out, err_info *e) {
    if (n < 2 || k < 1 || k > SYNERGY_MAX_DIMS)
        return err_set(e, ERR_USAGE, "PCA of %ld samples of %d variables: need >= 2 samples and "
                       "1..%d variables", n, k, SYNERGY_MAX_DIMS);
    double mean[SYNERGY_MAX_DIMS] = {0}, cov[SYNERGY_MAX_DIMS * SYNERGY_MAX_DIMS] = {0};
    for (long s = 0; s < n; s++)
        for (int i = 0; i < k; i++) mean[i] += x[s * k + i] / (double)n;
    for (long s = 0; s < n; s++)
        for (int i = 0; i < k; i++) {
            double di = x[s * k + i] - mean[i];
            for (int j = i; j < k; j++) cov[i * k + j] += di * (x[s * k + j] - mean[j]);
        }
    for (int i = 0; i < k; i++)
        for (int j = i; j < k; j++) cov[j * k + i] = cov[i * k + j] /= (double)(n - 1);
    memset(out, 0, sizeof *out);
    out->dims = k;
    jacobi_eigenvalues(cov, k, out->variance);
    qsort(out->variance, (size_t)k, sizeof(double), cmp_desc);
    for (int i = 0; i < k; i++) {
        if (out->variance[i] < 0) out->variance[i] = 0;     // round-off of a zero eigenvalue
        out->total += out->variance[i];
    }
    double cum = 0;
    const double level[3] = {0.8, 0.9, 0.95};
    int *need[3] = {&out->k80, &out->k90, &out->k95};
    for (int i = 0; i < k; i++) {
        out->explained[i] = out->total > 0 ? out->variance[i] / out->total : 0;
        cum += out->explained[i];
        for (int l = 0; l < 3; l++)
            if (!*need[l] && cum >= level[l] - 1e-12) *need[l] = i + 1;
    }
    for (int l = 0; l < 3; l++)
        if (!*need[l]) *need[l] = out->total > 0 ? k : 0;
    return ERR_OK;
}

int synergy_muscles(const mjModel *m, int *idx) {
    int n = 0;
    // MuJoCo keeps the actuators with an activation after the stateless ones: actuator j's
    // activation is d->act[j - (nu - na)].
    for (int j = m->nu - m->na; j < m->nu; j++)
        if (j >= 0 && m->actuator_dyntype[j] == mjDYN_MUSCLE) idx[n++] = j - (m->nu - m->na);
    return n;
}

// Recording state of one rollout, shared by the policy and watch callbacks.
typedef struct recorder {
    const policy *p;
    float *scratch;
    int *muscle;            // synergy_muscles' indices into d->act
    synergy_data *d;
    long cap;               // rows allocated
    double energy, action_sq, activation_sq;
} recorder;

static void record_act(void *ctx, int thread, const float *obs, double *action) {
    recorder *r = ctx;
    synergy_data *d = r->d;
    policy_act(r->p, obs, action, r->scratch);
    if (d->steps >= r->cap) return;
    for (int j = 0; j < d->ad; j++) {
        d->actions[d->steps * d->ad + j] = action[j];
        r->action_sq += action[j] * action[j];
    }
}

static void record_step(void *ctx, const mjModel *m, const mjData *md, const void *inst, int step,
                        int end) {
    recorder *r = ctx;
    synergy_data *d = r->d;
    if (step == 0 || d->steps >= r->cap) return;    // step 0: the reset, no action yet
    for (int i = 0; i < d->nu; i++) {
        d->velocities[d->steps * d->nu + i] = md->actuator_velocity[i];
        r->energy += fabs(md->actuator_force[i] * md->actuator_velocity[i]);
    }
    for (int i = 0; i < d->nm; i++) {
        double a = md->act[r->muscle[i]];
        d->activations[d->steps * d->nm + i] = a;
        r->activation_sq += a * a;
    }
    d->steps++;
}

int synergy_rollout(const policy *p, int episodes, synergy_data *out, err_info *e) {
    const task_def *t = policy_task(p);
    memset(out, 0, sizeof *out);
    int n = episodes > 0 ? episodes : t->n_eval;
    if (n > SYNERGY_MAX_EPISODES)
        return err_set(e, ERR_USAGE, "%d episodes asked for: use at most %d", n, SYNERGY_MAX_EPISODES);
    venv *v = venv_new(t, 1, 0x5eed, NULL, e);
    if (!v) return e ? e->code : ERR_PHYSICS;
    out->ad = t->act_dim;
    const mjModel *m = venv_model(v);
    out->nu = m->nu;
    recorder r = {p, NULL, NULL, out, (long)n * t->episode_steps, 0, 0, 0};
    r.scratch = calloc((size_t)policy_scratch_size(p), sizeof(float));
    r.muscle = calloc((size_t)(m->nu ? m->nu : 1), sizeof(int));
    if (r.muscle) out->nm = synergy_muscles(m, r.muscle);
    out->actions = calloc((size_t)r.cap * out->ad, sizeof(double));
    out->velocities = calloc((size_t)r.cap * (out->nu ? out->nu : 1), sizeof(double));
    out->activations = calloc((size_t)r.cap * (out->nm ? out->nm : 1), sizeof(double));
    int rc = ERR_OK;
    if (!r.scratch || !r.muscle || !out->actions || !out->velocities || !out->activations)
        rc = err_set(e, ERR_NOMEM, "out of memory recording %d episodes of %s", n, t->name);
    double fit_sum = 0;
    for (int c = 0; c < n && !rc; c++) {
        double fit = 0;
        rc = venv_episode(v, c, record_act, &r, record_step, &r, &fit, NULL, e);
        fit_sum += fit;
    }
    free(r.scratch);
    free(r.muscle);
    venv_free(v);
    if (rc) {
        synergy_data_free(out);
        return rc;
    }
    out->episodes = n;
    out->fitness = fit_sum / n;
    out->energy = r.energy / n;
    out->action_sq = r.action_sq / n;
    out->activation_sq = r.activation_sq / n;
    return ERR_OK;
}

void synergy_data_free(synergy_data *d) {
    if (!d) return;
    free(d->actions);
    free(d->velocities);
    free(d->activations);
    d->actions = d->velocities = d->activations = NULL;
}
