// loco.c: shared pieces of the locomotion tasks (see loco.h).
#include "task/loco.h"

#include <stdio.h>

int loco_check(const mjModel *m, int n_joints, const char *task, char *err, int err_sz) {
    if (n_joints > LOCO_MAX_JOINTS || m->nu != n_joints || m->nq != LOCO_JOINT_QPOS + n_joints) {
        snprintf(err, (size_t)err_sz, "%s model: expected a free torso and %d joints", task, n_joints);
        return 1;
    }
    return 0;
}

void loco_reset(const mjModel *m, mjData *d, loco_inst *in, rng *r, double pos_noise,
                double vel_noise) {
    for (int j = 0; j < m->nq; j++)
        if (j < 3 || j >= LOCO_JOINT_QPOS) d->qpos[j] = m->qpos0[j] + rng_range(r, -pos_noise, pos_noise);
    for (int j = 0; j < m->nv; j++) d->qvel[j] = vel_noise * rng_normal(r);
    in->start_x = d->qpos[0];
    mj_forward(m, d);
}

void loco_act(mjData *d, loco_inst *in, const double *a, int n_joints) {
    for (int j = 0; j < n_joints; j++) {
        d->ctrl[j] = a[j];
        in->prev_action[j] = a[j];
    }
    in->steps++;
}

void loco_observe(const mjData *d, const loco_inst *in, int n_joints, float *obs) {
    double sq = d->qpos[3] < 0 ? -1.0 : 1.0;
    int k = 0;
    obs[k++] = (float)d->qpos[2];
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sq * d->qpos[3 + j]);
    for (int j = 0; j < 6; j++) obs[k++] = (float)d->qvel[j];
    for (int j = 0; j < n_joints; j++) obs[k++] = (float)d->qpos[LOCO_JOINT_QPOS + j];
    for (int j = 0; j < n_joints; j++) obs[k++] = (float)(0.1 * d->qvel[LOCO_JOINT_QVEL + j]);
    for (int j = 0; j < n_joints; j++) obs[k++] = (float)in->prev_action[j];
}

double loco_progress(const mjData *d, const loco_inst *in) { return d->qpos[0] - in->start_x; }

int loco_inst_ok(const loco_inst *in, int episode) { return in->steps >= 0 && in->steps <= episode; }
