// test_hand.c: the hand the reorient tasks share (src/task/hand.c) and the two
// muscle-driven tasks on it. reorient_muscle: 18 muscles with ctrlrange [0, 1] and the length
// ranges their tendons really span, the action map, the same held-out goals as reorient,
// fingertips on the cube at action 0, muscles strong enough to turn the cube. baoding: the
// model's sizes are env.h's, targets circle opposite each other both ways, and the fitness on
// synthetic ball trajectories with known answers (on target, one ball dropped, off phase),
// and its curriculum knob (the targets' speed).
#include <math.h>
#include <stdlib.h>

#include "reward/rcomp.h"
#include "rl/venv.h"
#include "task/hand.h"
#include "testlib.h"
#include "util/fs.h"

#include "../tasks/baoding/env.h"

static int warnings(const mjData *d) {
    int w = 0;
    for (int k = 0; k < mjNWARNING; k++) w += d->warning[k].number;
    return w;
}

// The value of an expression over env.h's constants, as the compiled reward sees it.
static double env_h_value(const task_def *t, const char *expr) {
    char path[4096], src[512];
    err_info e = {0};
    if (task_file(t, "env.h", path, sizeof path, &e)) return NAN;
    char *env_h = fs_read(path, 1 << 20, NULL, &e);
    snprintf(src, sizeof src, "double compute_reward(const env_state *s, reward_terms *t) {\n"
             "    return term(t, \"v\", %s);\n}\n", expr);
    rcomp *c = env_h ? rcomp_new(rcomp_prelude(NULL), env_h, src, &e) : NULL;
    free(env_h);
    if (!c) { CHECK_MSG(0, "%s: %s", t->name, e.msg); return NAN; }
    unsigned char st[8192] = {0};
    reward_terms terms;
    reward_terms_clear(&terms);
    double v = rcomp_fn(c)(st, &terms);
    rcomp_free(c);
    return v;
}

// Both muscle tasks: at least 18 actuators, every one a muscle on a fixed tendon with
// ctrlrange [0, 1] and its own activation, two per finger joint pulling opposite ways, and a
// length range equal to what its tendon spans over the joint's range.
static void test_muscles(void) {
    const char *names[] = {"reorient_muscle", "baoding"};
    for (int k = 0; k < 2; k++) {
        const task_def *t = task_find(names[k]);
        err_info e = {0};
        venv *v = t ? venv_new(t, 1, 1, NULL, &e) : NULL;
        CHECK_MSG(v != NULL, "%s: %s", names[k], e.msg);
        if (!v) continue;
        const mjModel *m = venv_model(v);
        CHECK(m->nu >= 18 && m->nu == t->act_dim && m->na == m->nu);
        int ok = 1;
        for (int i = 0; i < m->nu; i++) {
            const double *cr = m->actuator_ctrlrange + 2 * i;
            ok &= m->actuator_dyntype[i] == mjDYN_MUSCLE && m->actuator_gaintype[i] == mjGAIN_MUSCLE &&
                  m->actuator_ctrllimited[i] && cr[0] == 0.0 && cr[1] == 1.0;
            int ten = m->actuator_trnid[2 * i];
            CHECK_MSG(m->actuator_trntype[i] == mjTRN_TENDON && m->tendon_num[ten] == 1 &&
                      m->wrap_type[m->tendon_adr[ten]] == mjWRAP_JOINT, "%s: actuator %d", t->name, i);
            int w = m->tendon_adr[ten], jnt = m->wrap_objid[w];
            double coef = m->wrap_prm[w];
            // Muscle 2j pulls finger joint j toward its lower limit (tendon length +q), 2j+1
            // toward its upper limit (-q): its partner i ^ 1 is on the same joint.
            int pw = m->tendon_adr[m->actuator_trnid[2 * (i ^ 1)]];
            CHECK_MSG(coef == (i % 2 ? -1.0 : 1.0) && m->wrap_objid[pw] == jnt &&
                      m->wrap_prm[pw] == -coef && m->jnt_type[jnt] == mjJNT_HINGE,
                      "%s: muscle %d is not half of an antagonistic pair", t->name, i);
            const double *jr = m->jnt_range + 2 * jnt, *lr = m->actuator_lengthrange + 2 * i;
            double lo = fmin(coef * jr[0], coef * jr[1]), hi = fmax(coef * jr[0], coef * jr[1]);
            CHECK_MSG(fabs(lr[0] - lo) < 1e-9 && fabs(lr[1] - hi) < 1e-9,
                      "%s: muscle %d length range %g..%g, its tendon spans %g..%g", t->name, i,
                      lr[0], lr[1], lo, hi);
        }
        CHECK_MSG(ok, "%s: an actuator is not a muscle with ctrlrange [0, 1]", t->name);
        // env.h's MUSCLE_MAX_FORCE is the model's peak force.
        CHECK(env_h_value(t, "MUSCLE_MAX_FORCE") == m->actuator_gainprm[2]);
        // Action -> excitation: -1 -> 0, 0 -> 1/2, 1 -> 1.
        mjData *d = mj_makeData(m);
        void *inst = calloc(1, t->inst_size);
        double a[64];
        for (int i = 0; i < m->nu; i++) a[i] = (double)(i % 3) - 1.0;
        t->act(m, d, inst, a);
        for (int i = 0; i < m->nu; i++) ok &= d->ctrl[i] == 0.5 * (double)(i % 3);
        CHECK_MSG(ok, "%s: action map", t->name);
        free(inst);
        mj_deleteData(d);
        venv_free(v);
    }
}

// reorient_muscle's held-out cases are reorient's: the cube's part of the observation (start
// orientation, goal, fingertips) is the same, case by case; and env.h says reorient's numbers.
static void test_same_goals(void) {
    const task_def *ro = task_find("reorient"), *rm = task_find("reorient_muscle");
    err_info e = {0};
    venv *vo = venv_new(ro, 1, 1, NULL, &e), *vm = venv_new(rm, 1, 1, NULL, &e);
    CHECK_MSG(vo && vm, "%s", e.msg);
    if (vo && vm) {
        const mjModel *mo = venv_model(vo), *mm = venv_model(vm);
        mjData *d_o = mj_makeData(mo), *d_m = mj_makeData(mm);
        void *io = calloc(1, ro->inst_size), *im = calloc(1, rm->inst_size);
        float oo[128], om[128];
        rng r;
        rng_seed(&r, 1, 0);
        int same = 1;
        for (int c = 0; c < ro->n_eval; c++) {
            mj_resetData(mo, d_o); memset(io, 0, ro->inst_size);
            mj_resetData(mm, d_m); memset(im, 0, rm->inst_size);
            task_reset(ro, mo, d_o, io, &r, c);
            task_reset(rm, mm, d_m, im, &r, c);
            ro->observe(mo, d_o, io, oo);
            rm->observe(mm, d_m, im, om);
            same &= memcmp(oo, om, (2 * HAND_JOINTS + HAND_CUBE_OBS) * sizeof(float)) == 0;
        }
        CHECK_MSG(same, "reorient_muscle's held-out starts and goals differ from reorient's");
        CHECK(rm->n_eval == ro->n_eval && rm->episode_steps == ro->episode_steps &&
              rm->frame_skip == ro->frame_skip);
        free(io); free(im);
        mj_deleteData(d_o); mj_deleteData(d_m);
    }
    CHECK(env_h_value(rm, "SUCCESS_ANGLE") == HAND_CUBE_SUCCESS);
    CHECK(env_h_value(rm, "CUBE_HALF_SIZE") == HAND_CUBE_HALF);
    CHECK(env_h_value(ro, "SUCCESS_ANGLE") == HAND_CUBE_SUCCESS);
    venv_free(vo);
    venv_free(vm);
}

// The graded fitness of the cube tasks at known errors: the cube turned by a about z from
// the goal. 1 below the success angle (where the fitness is 1 too), then linear down to 0
// at pi; the tasks report it through their graded callback.
static void test_cube_graded(void) {
    const task_def *ro = task_find("reorient");
    err_info e = {0};
    venv *v = venv_new(ro, 1, 1, NULL, &e);
    CHECK_MSG(v, "%s", e.msg);
    if (!v) return;
    const mjModel *m = venv_model(v);
    mjData *d = mj_makeData(m);
    hand_cube c = {{1, 0, 0, 0}, 0, {0}};
    const double angles[] = {0.0, 0.39, 0.41, 1.0, 2.0, M_PI};
    double last = 2;
    for (size_t k = 0; k < sizeof angles / sizeof angles[0]; k++) {
        double a = angles[k];
        double q[4] = {cos(a / 2), 0, 0, sin(a / 2)};
        mju_copy4(d->qpos + HAND_CUBE_QPOS, q);
        double g = hand_cube_graded(d, &c), f = hand_cube_fitness(d, &c);
        double want = a < HAND_CUBE_SUCCESS ? 1.0 : (M_PI - a) / (M_PI - HAND_CUBE_SUCCESS);
        CHECK_MSG(fabs(g - want) < 1e-9 && g <= last && (f == 1.0) == (g == 1.0),
                  "error %.2f: graded %.6f (want %.6f), fitness %.0f", a, g, want, f);
        last = g;
    }
    CHECK(fabs(last) < 1e-9);
    CHECK(ro->graded && task_find("reorient_muscle")->graded && !task_find("cartpole")->graded);
    mj_deleteData(d);
    venv_free(v);
}

// Signed distance from a fingertip sphere's surface to the cube's surface, m.
static double tip_gap(const mjModel *m, const mjData *d, int f) {
    char name[16];
    snprintf(name, sizeof name, "f%d_tip", f);
    int g = mj_name2id(m, mjOBJ_GEOM, name), b = mj_name2id(m, mjOBJ_BODY, "cube");
    double rel[3], loc[3], qc[4], out = 0, in = 1;
    mju_sub3(rel, d->geom_xpos + 3 * g, d->xpos + 3 * b);
    mju_negQuat(qc, d->qpos + HAND_CUBE_QPOS);
    mju_rotVecQuat(loc, rel, qc);
    for (int j = 0; j < 3; j++) {
        double gj = fabs(loc[j]) - HAND_CUBE_HALF;
        if (gj > 0) out += gj * gj;
        if (-gj < in) in = -gj;
    }
    return (out > 0 ? sqrt(out) : -in) - m->geom_size[3 * g];
}

// Action 0 holds the fingertips on the cube (as reorient's a = 0 does); pulling every side
// joint one way turns the cube: the muscles are strong enough to move it.
static void test_reorient_muscle_rest_and_strength(void) {
    const task_def *t = task_find("reorient_muscle");
    venv *v = venv_new(t, 1, 1, NULL, NULL);
    if (!v) { CHECK(0); return; }
    const mjModel *m = venv_model(v);
    mjData *d = mj_makeData(m);
    void *inst = calloc(1, t->inst_size);
    rng r;
    rng_seed(&r, 2, 0);
    task_reset(t, m, d, inst, &r, 0);
    double a[HAND_MUSCLES] = {0}, q0[4];
    for (int s = 0; s < 10; s++) {
        t->act(m, d, inst, a);
        for (int k = 0; k < t->frame_skip; k++) mj_step(m, d);
    }
    mj_kinematics(m, d);
    for (int f = 0; f < HAND_FINGERS; f++)
        CHECK_MSG(fabs(tip_gap(m, d, f)) < 0.003, "fingertip %d: %.4f m from the cube surface", f,
                  tip_gap(m, d, f));
    mju_copy(q0, d->qpos + HAND_CUBE_QPOS, 4);
    for (int f = 0; f < HAND_FINGERS; f++) {
        a[2 * 3 * f] = -1.0;              // side joint: the muscle toward the lower limit off,
        a[2 * 3 * f + 1] = 1.0;           // the one toward the upper limit fully excited
    }
    for (int s = 0; s < 5; s++) {
        t->act(m, d, inst, a);
        for (int k = 0; k < t->frame_skip; k++) mj_step(m, d);
    }
    double qc[4], rel[4];
    mju_negQuat(qc, q0);
    mju_mulQuat(rel, d->qpos + HAND_CUBE_QPOS, qc);
    double turn = 2 * asin(fmin(1.0, sqrt(rel[1] * rel[1] + rel[2] * rel[2] + rel[3] * rel[3])));
    CHECK_MSG(turn > 0.3, "5 steps of side muscles turned the cube only %.3f rad", turn);
    CHECK(warnings(d) == 0);
    fprintf(stderr, "   reorient_muscle: side muscles turned the cube %.2f rad in 0.2 s\n", turn);
    free(inst);
    mj_deleteData(d);
    venv_free(v);
}

// baoding's model matches env.h; targets sit on the circle, opposite, turning both ways over
// the held-out set; action 0 keeps both balls in the palm with no MuJoCo warning.
static void test_baoding_model_and_targets(void) {
    const task_def *t = task_find("baoding");
    venv *v = venv_new(t, 1, 1, NULL, NULL);
    if (!v) { CHECK(0); return; }
    const mjModel *m = venv_model(v);
    int g = mj_name2id(m, mjOBJ_GEOM, "ball0"), tray = mj_name2id(m, mjOBJ_GEOM, "tray");
    CHECK(g >= 0 && m->geom_size[3 * g] == BALL_RADIUS);
    CHECK(tray >= 0 && m->geom_pos[3 * tray + 2] == PALM_HEIGHT);
    mjData *d = mj_makeData(m);
    void *inst = calloc(1, t->inst_size);
    env_state s;
    double a[N_MUSCLES] = {0};
    rng r;
    rng_seed(&r, 3, 0);
    int ccw = 0, cw = 0, ok = 1;
    for (int c = 0; c < t->n_eval; c++) {
        mj_resetData(m, d);
        memset(inst, 0, t->inst_size);
        task_reset(t, m, d, inst, &r, c);
        t->fill(m, d, inst, a, &s);
        for (int i = 0; i < N_BALLS; i++) {
            ok &= fabs(hypot(s.target_pos[i][0], s.target_pos[i][1]) - ORBIT_RADIUS) < 1e-12;
            ok &= mju_dist3(s.ball_pos[i], s.target_pos[i]) < 0.003;
        }
        ok &= fabs(s.target_pos[0][0] + s.target_pos[1][0]) < 1e-12 &&
              fabs(s.target_pos[0][1] + s.target_pos[1][1]) < 1e-12;
        double turn = s.target_pos[0][0] * s.target_vel[0][1] - s.target_pos[0][1] * s.target_vel[0][0];
        ok &= fabs(fabs(turn) - ORBIT_RADIUS * ORBIT_RADIUS * 2 * M_PI / PERIOD) < 1e-12;
        ccw += turn > 0;
        cw += turn < 0;
    }
    CHECK_MSG(ok, "baoding: a target off its circle, targets not opposite, or a ball not on its target at the start");
    CHECK_MSG(ccw >= 10 && cw >= 10, "baoding: %d counter-clockwise and %d clockwise held-out episodes", ccw, cw);
    // a = 0 for a whole episode: the balls stay in the palm.
    task_reset(t, m, d, inst, &r, 0);
    int dropped = 0;
    for (int k = 0; k < t->episode_steps; k++) {
        t->act(m, d, inst, a);
        for (int j = 0; j < t->frame_skip; j++) mj_step(m, d);
        dropped |= t->done(m, d, inst);
    }
    CHECK(!dropped && warnings(d) == 0);
    free(inst);
    mj_deleteData(d);
    venv_free(v);
}

// One synthetic episode: after each control step, put both balls where `place` says
// (relative to their targets) and let the task track. Returns the fitness.
typedef void (*placer)(int step, int ball, const env_state *s, double out[3]);

static double synthetic_episode(const task_def *t, const mjModel *m, mjData *d, void *inst,
                                placer place, int *ended) {
    int ball_qpos[N_BALLS] = {m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, "ball0")],
                              m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, "ball1")]};
    rng r;
    rng_seed(&r, 4, 0);
    mj_resetData(m, d);
    memset(inst, 0, t->inst_size);
    task_reset(t, m, d, inst, &r, 7);
    double a[N_MUSCLES] = {0};
    env_state s;
    int steps = 0;
    *ended = 0;
    for (int k = 1; k <= t->episode_steps; k++) {
        t->act(m, d, inst, a);
        t->fill(m, d, inst, a, &s);       // the targets for this step's time
        for (int i = 0; i < N_BALLS; i++) place(k, i, &s, d->qpos + ball_qpos[i]);
        t->track(m, d, inst);
        steps = k;
        if (t->done(m, d, inst)) { *ended = k; break; }
    }
    return t->fitness(m, d, inst, steps);
}

static void on_target(int k, int i, const env_state *s, double out[3]) {
    mju_copy3(out, s->target_pos[i]);
}

// Ball 1 leaves the palm at step 50 (and stays out).
static void drop_at_50(int k, int i, const env_state *s, double out[3]) {
    mju_copy3(out, s->target_pos[i]);
    if (i == 1 && k >= 50) out[0] = 0.1, out[1] = 0.0;
}

// Both balls rotated about the palm's axis from their targets by `lag` rad.
static double lag;
static void behind(int k, int i, const env_state *s, double out[3]) {
    double c = cos(lag), sn = sin(lag);
    out[0] = c * s->target_pos[i][0] - sn * s->target_pos[i][1];
    out[1] = sn * s->target_pos[i][0] + c * s->target_pos[i][1];
    out[2] = s->target_pos[i][2];
}

// Balls on the targets of the other direction of turn: the phase gap grows by 4 pi / PERIOD
// rad per second, 0.1005 rad per step, and a ball is on target while the gap is within
// 0.3346 rad of a whole turn (2 R sin(gap / 2) < 1.5 cm): steps 1-3, 60-65 (gap near 2 pi)
// and 122-125 (near 4 pi): 13 of 125.
static void wrong_way(int k, int i, const env_state *s, double out[3]) {
    double ang0 = atan2(s->target_pos[i][1], s->target_pos[i][0]);
    double w = (s->target_pos[i][0] * s->target_vel[i][1] - s->target_pos[i][1] * s->target_vel[i][0]) /
               (ORBIT_RADIUS * ORBIT_RADIUS);
    double ang = ang0 - 2 * w * 0.04 * k;
    out[0] = ORBIT_RADIUS * cos(ang);
    out[1] = ORBIT_RADIUS * sin(ang);
    out[2] = s->target_pos[i][2];
}

static void test_baoding_fitness(void) {
    const task_def *t = task_find("baoding");
    venv *v = venv_new(t, 1, 1, NULL, NULL);
    if (!v) { CHECK(0); return; }
    const mjModel *m = venv_model(v);
    mjData *d = mj_makeData(m);
    void *inst = calloc(1, t->inst_size);
    int ended;
    double f = synthetic_episode(t, m, d, inst, on_target, &ended);
    CHECK_MSG(f == 1.0 && !ended, "both on target: fitness %g, ended at %d", f, ended);
    f = synthetic_episode(t, m, d, inst, drop_at_50, &ended);
    CHECK_MSG(ended == 50 && fabs(f - 49.0 / 125.0) < 1e-12, "drop at 50: fitness %g, ended at %d", f, ended);
    lag = 0.2;                            // 2 x 4.5 cm x sin(0.1) = 9 mm: on target
    f = synthetic_episode(t, m, d, inst, behind, &ended);
    CHECK_MSG(f == 1.0, "0.2 rad behind: fitness %g", f);
    lag = -0.5;                           // 2 x 4.5 cm x sin(0.25) = 22 mm: off
    f = synthetic_episode(t, m, d, inst, behind, &ended);
    CHECK_MSG(f == 0.0 && !ended, "0.5 rad ahead: fitness %g", f);
    f = synthetic_episode(t, m, d, inst, wrong_way, &ended);
    CHECK_MSG(fabs(f - 13.0 / 125.0) < 1e-12, "wrong way round: fitness %g, want 13/125", f);
    free(inst);
    mj_deleteData(d);
    venv_free(v);
}

// --curriculum on baoding: a level turns the targets that much slower from the same start
// (the same draws), and a restored instance must carry a speed some level gives.
static void test_baoding_curriculum(void) {
    const task_def *t = task_find("baoding");
    CHECK(t->reset_level != NULL);
    venv *v = venv_new(t, 1, 1, NULL, NULL);
    if (!v || !t->reset_level) { CHECK(0); venv_free(v); return; }
    const mjModel *m = venv_model(v);
    mjData *d = mj_makeData(m);
    double *qpos = malloc((size_t)m->nq * sizeof(double));
    void *full = calloc(1, t->inst_size), *slow = calloc(1, t->inst_size);
    double a[N_MUSCLES] = {0};
    int same_start = 1, quarter = 1;
    for (int c = 0; c < 20; c++) {
        rng r1, r4;
        rng_seed(&r1, 11, (uint64_t)c);
        rng_seed(&r4, 11, (uint64_t)c);
        env_state s1, s4;
        mj_resetData(m, d);
        memset(full, 0, t->inst_size);
        t->reset(m, d, full, &r1);
        mju_copy(qpos, d->qpos, m->nq);
        t->fill(m, d, full, a, &s1);
        mj_resetData(m, d);
        memset(slow, 0, t->inst_size);
        t->reset_level(m, d, slow, &r4, 0.25);
        t->fill(m, d, slow, a, &s4);
        same_start &= memcmp(qpos, d->qpos, (size_t)m->nq * sizeof(double)) == 0 &&
                      memcmp(s1.target_pos, s4.target_pos, sizeof s1.target_pos) == 0;
        for (int i = 0; i < N_BALLS; i++)
            for (int j = 0; j < 3; j++) quarter &= s4.target_vel[i][j] == 0.25 * s1.target_vel[i][j];
        // One second later (25 control steps): a fifth of a turn at the task's speed, a
        // twentieth at a quarter of it, the same way round.
        double start1 = atan2(s1.target_pos[0][1], s1.target_pos[0][0]);
        for (int k = 0; k < 25; k++) t->act(m, d, full, a), t->act(m, d, slow, a);
        t->fill(m, d, full, a, &s1);
        t->fill(m, d, slow, a, &s4);
        double turn1 = remainder(atan2(s1.target_pos[0][1], s1.target_pos[0][0]) - start1, 2 * M_PI);
        double turn4 = remainder(atan2(s4.target_pos[0][1], s4.target_pos[0][0]) - start1, 2 * M_PI);
        quarter &= fabs(fabs(turn1) - 2 * M_PI / PERIOD) < 1e-9 && fabs(turn4 - turn1 / 4) < 1e-9;
    }
    CHECK_MSG(same_start, "baoding: a curriculum level changed the start (balls or targets)");
    CHECK_MSG(quarter, "baoding: level 0.25 did not turn the targets at a quarter of the speed");
    // A forged saved instance: speed 0 or over 1 is no level's.
    CHECK(t->inst_ok(m, slow));
    double *speed = &((double *)slow)[2];   // phase0, dir, speed: bd_inst's first fields
    CHECK(*speed == 0.25);
    *speed = 0.0;
    CHECK(!t->inst_ok(m, slow));
    *speed = 1.5;
    CHECK(!t->inst_ok(m, slow));
    free(full);
    free(slow);
    free(qpos);
    mj_deleteData(d);
    venv_free(v);
}

int main(void) {
    TEST_RUN(test_muscles);
    TEST_RUN(test_same_goals);
    TEST_RUN(test_cube_graded);
    TEST_RUN(test_reorient_muscle_rest_and_strength);
    TEST_RUN(test_baoding_model_and_targets);
    TEST_RUN(test_baoding_fitness);
    TEST_RUN(test_baoding_curriculum);
    TEST_END();
}
