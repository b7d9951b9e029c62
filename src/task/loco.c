// loco.c: the shared body of the locomotion tasks (see loco.h).
#include "task/loco.h"

#include <stdio.h>

int loco_setup(const loco_params *p, mjModel *m, char *err, int err_sz) {
    int n = p->n_joints;
    if (n > LOCO_MAX_JOINTS || m->nu != n || m->nq != LOCO_JOINT_QPOS + n) {
        snprintf(err, (size_t)err_sz, "%s model: expected a free torso and %d joints", p->name, n);
        return 1;
    }
    return 0;
}

void loco_reset(const loco_params *p, const mjModel *m, mjData *d, void *inst, rng *r) {
    loco_inst *in = inst;
    for (int j = 0; j < m->nq; j++)
        if (j < 3 || j >= LOCO_JOINT_QPOS)   // the quaternion stays the model's
            d->qpos[j] = m->qpos0[j] + rng_range(r, -p->pos_noise, p->pos_noise);
    for (int j = 0; j < m->nv; j++) d->qvel[j] = p->vel_noise * rng_normal(r);
    in->start_x = d->qpos[0];
    mj_forward(m, d);
}

int loco_done(const loco_params *p, const mjData *d) { return d->qpos[2] < p->fall_height; }

int loco_inst_ok(const loco_params *p, const void *inst) {
    const loco_inst *in = inst;
    return in->steps >= 0 && in->steps <= p->episode;
}

void loco_act(const mjModel *m, mjData *d, void *inst, const double *a) {
    loco_inst *in = inst;
    for (int j = 0; j < m->nu; j++) {
        d->ctrl[j] = a[j];
        in->prev_action[j] = a[j];
    }
    in->steps++;
}

void loco_observe(const mjModel *m, const mjData *d, const void *inst, float *obs) {
    const loco_inst *in = inst;
    double sq = d->qpos[3] < 0 ? -1.0 : 1.0;   // q and -q are one orientation: keep w >= 0
    int k = 0;
    obs[k++] = (float)d->qpos[2];
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sq * d->qpos[3 + j]);
    for (int j = 0; j < 6; j++) obs[k++] = (float)d->qvel[j];
    for (int j = 0; j < m->nu; j++) obs[k++] = (float)d->qpos[LOCO_JOINT_QPOS + j];
    for (int j = 0; j < m->nu; j++) obs[k++] = (float)(0.1 * d->qvel[LOCO_JOINT_QVEL + j]);
    for (int j = 0; j < m->nu; j++) obs[k++] = (float)in->prev_action[j];
}

double loco_fitness(const mjModel *m, const mjData *d, const void *inst, int steps) {
    const loco_inst *in = inst;
    return d->qpos[0] - in->start_x;
}
