// hand.c: shared pieces of the three-fingered hand tasks (see hand.h). Moved here from
// tasks/reorient/task.c unchanged in what they compute, so reorient's episodes and held-out
// goals stay as they were and reorient_muscle's are the same goals.
#include "task/hand.h"

#include <math.h>
#include <stdio.h>

// A random unit axis and an angle in [lo, hi) as a quaternion (w, x, y, z).
static void random_rotation(rng *r, double lo, double hi, double q[4]) {
    double ax[3], n = 0;
    do {
        for (int k = 0; k < 3; k++) ax[k] = rng_normal(r);
        n = sqrt(ax[0] * ax[0] + ax[1] * ax[1] + ax[2] * ax[2]);
    } while (n < 1e-6);
    double ang = rng_range(r, lo, hi);
    q[0] = cos(0.5 * ang);
    for (int k = 0; k < 3; k++) q[k + 1] = sin(0.5 * ang) * ax[k] / n;
}

int hand_cube_check(const mjModel *m, const char *task, char *err, int err_sz) {
    if (m->njnt < 1 || m->jnt_type[0] != mjJNT_BALL || m->nq != HAND_CUBE_FINGER_QPOS + HAND_JOINTS) {
        snprintf(err, (size_t)err_sz, "%s model: expected the cube's ball joint first, then %d "
                 "finger hinges (see tasks/%s/model.xml)", task, HAND_JOINTS, task);
        return 1;
    }
    return 0;
}

// Held-out case c resets from its own stream: the draws below, in this order, are what
// makes reorient's and reorient_muscle's goal sets the same.
void hand_cube_reset(const mjModel *m, mjData *d, hand_cube *c, rng *r, double level) {
    double q0[4], turn[4];
    random_rotation(r, 0.0, 0.1, q0);
    random_rotation(r, 0.6 * level, 1.2 * level, turn);
    mju_mulQuat(c->goal, turn, q0);
    mju_copy(d->qpos + HAND_CUBE_QPOS, q0, 4);
    for (int j = 0; j < HAND_JOINTS; j++)
        d->qpos[HAND_CUBE_FINGER_QPOS + j] = rng_range(r, -0.05, 0.05);
    c->cube_body = mj_name2id(m, mjOBJ_BODY, "cube");
    char name[16];
    for (int f = 0; f < HAND_FINGERS; f++) {
        snprintf(name, sizeof name, "f%d_tip", f);
        c->tip_geom[f] = mj_name2id(m, mjOBJ_GEOM, name);
    }
}

double hand_cube_error(const mjData *d, const hand_cube *c) {
    double gc[4], rel[4];
    mju_negQuat(gc, c->goal);
    mju_mulQuat(rel, d->qpos + HAND_CUBE_QPOS, gc);
    double v = sqrt(rel[1] * rel[1] + rel[2] * rel[2] + rel[3] * rel[3]);
    return 2.0 * asin(v > 1.0 ? 1.0 : v);
}

double hand_cube_fitness(const mjData *d, const hand_cube *c) {
    return hand_cube_error(d, c) < HAND_CUBE_SUCCESS ? 1.0 : 0.0;
}

double hand_cube_graded(const mjData *d, const hand_cube *c) {
    double err = hand_cube_error(d, c);
    return err < HAND_CUBE_SUCCESS ? 1.0 : (M_PI - err) / (M_PI - HAND_CUBE_SUCCESS);
}

int hand_observe_joints(const mjData *d, int qpos_adr, int qvel_adr, float *obs) {
    int k = 0;
    for (int j = 0; j < HAND_JOINTS; j++) obs[k++] = (float)d->qpos[qpos_adr + j];
    for (int j = 0; j < HAND_JOINTS; j++) obs[k++] = (float)d->qvel[qvel_adr + j];
    return k;
}

int hand_cube_observe(const mjData *d, const hand_cube *c, float *obs) {
    int k = 0;
    const double *q = d->qpos + HAND_CUBE_QPOS;
    double sq = q[0] < 0 ? -1.0 : 1.0, w[3], gc[4], rel[4];
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sq * q[j]);
    mju_rotVecQuat(w, d->qvel + HAND_CUBE_QVEL, q);
    for (int j = 0; j < 3; j++) obs[k++] = (float)w[j];
    double sg = c->goal[0] < 0 ? -1.0 : 1.0;
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sg * c->goal[j]);
    mju_negQuat(gc, c->goal);
    mju_mulQuat(rel, q, gc);
    double sr = rel[0] < 0 ? -1.0 : 1.0;
    for (int j = 0; j < 4; j++) obs[k++] = (float)(sr * rel[j]);
    const double *cc = d->xpos + 3 * c->cube_body;
    for (int f = 0; f < HAND_FINGERS; f++)
        for (int j = 0; j < 3; j++) obs[k++] = (float)(d->geom_xpos[3 * c->tip_geom[f] + j] - cc[j]);
    return k;
}

int hand_cube_ok(const mjModel *m, const hand_cube *c) {
    char name[16];
    int ok = c->cube_body == mj_name2id(m, mjOBJ_BODY, "cube");
    for (int f = 0; f < HAND_FINGERS && ok; f++) {
        snprintf(name, sizeof name, "f%d_tip", f);
        ok = c->tip_geom[f] == mj_name2id(m, mjOBJ_GEOM, name);
    }
    return ok;
}

// The ghost is a little larger than the cube so the two do not flicker where they coincide;
// a dot marks the goal position of the cube's red face mark.
void hand_cube_decorate(const mjData *d, const hand_cube *c, mjvScene *scn) {
    if (scn->ngeom + 2 > scn->maxgeom || c->cube_body < 0) return;
    const double half = HAND_CUBE_HALF;
    double mat[9], size[3], mark[3], local[3] = {half * 1.04, 0, 0};
    const double *cc = d->xpos + 3 * c->cube_body;
    mju_quat2Mat(mat, c->goal);
    for (int k = 0; k < 3; k++) size[k] = half * 1.04;
    const float ghost[4] = {0.25f, 0.9f, 0.35f, 0.3f}, dot[4] = {1.0f, 0.2f, 0.2f, 0.5f};
    mjv_initGeom(&scn->geoms[scn->ngeom], mjGEOM_BOX, size, cc, mat, ghost);
    scn->geoms[scn->ngeom++].category = mjCAT_DECOR;
    mju_rotVecQuat(mark, local, c->goal);
    mju_addTo3(mark, cc);
    size[0] = size[1] = size[2] = 0.007;
    mjv_initGeom(&scn->geoms[scn->ngeom], mjGEOM_SPHERE, size, mark, mat, dot);
    scn->geoms[scn->ngeom++].category = mjCAT_DECOR;
}

void hand_cube_caption(const mjData *d, const hand_cube *c, int steps, int episode, char *buf,
                       size_t n) {
    double err = hand_cube_error(d, c);
    snprintf(buf, n, "orientation error\t%.2f rad (goal < %.2f)\n%s\t%s\n",
             err, HAND_CUBE_SUCCESS, steps >= episode ? "success" : "within goal",
             err < HAND_CUBE_SUCCESS ? "yes" : "no");
}

int hand_muscle_check(const mjModel *m, int n_joints, const char *task, char *err, int err_sz) {
    if (m->nu != 2 * n_joints || m->na != m->nu) {
        snprintf(err, (size_t)err_sz, "%s model: %d actuators with %d activation states, expected "
                 "%d muscles (two per finger joint, see tasks/reorient_muscle/hand.xml)", task,
                 m->nu, m->na, 2 * n_joints);
        return 1;
    }
    for (int i = 0; i < m->nu; i++) {
        const double *cr = m->actuator_ctrlrange + 2 * i;
        if (m->actuator_dyntype[i] != mjDYN_MUSCLE || m->actuator_gaintype[i] != mjGAIN_MUSCLE ||
            m->actuator_trntype[i] != mjTRN_TENDON || !m->actuator_ctrllimited[i] ||
            cr[0] != 0.0 || cr[1] != 1.0) {
            const char *nm = mj_id2name(m, mjOBJ_ACTUATOR, i);
            snprintf(err, (size_t)err_sz, "%s model: actuator %d (%s) must be a <muscle> on a tendon "
                     "with ctrllimited=\"true\" ctrlrange=\"0 1\"", task, i, nm ? nm : "unnamed");
            return 1;
        }
    }
    return 0;
}

void hand_muscle_act(mjData *d, const double *a, int n_muscles) {
    for (int k = 0; k < n_muscles; k++) d->ctrl[k] = 0.5 * (a[k] + 1.0);
}

void hand_muscle_rest(const mjModel *m, mjData *d) {
    for (int k = 0; k < m->nu; k++) d->ctrl[k] = 0.5;
    for (int k = 0; k < m->na; k++) d->act[k] = 0.5;
}

int hand_muscle_observe(const mjData *d, int n_muscles, float *obs) {
    for (int k = 0; k < n_muscles; k++) obs[k] = (float)d->act[k];
    return n_muscles;
}
