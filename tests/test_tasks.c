// test_tasks.c: the task registry and every task's contract: model loads with the
// declared sizes, env.h compiles with the prelude and has the layout task.c fills,
// resets are deterministic, held-out cases are fixed, the expert and sparse rewards and
// every offline-mutator component compile; reorient's goals and a = 0 pose.
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "util/fs.h"
#include "reward/rcomp.h"
#include "testlib.h"
#include "rl/venv.h"

#include "../tasks/reorient/env.h"

static char *task_text(const task_def *t, const char *file) {
    char path[4096];
    err_info e = {0};
    if (task_file(t, file, path, sizeof path, &e)) return NULL;
    return fs_read(path, 1 << 20, NULL, &e);
}

static void test_registry(void) {
    int n = 0;
    const task_def *const *all = task_all(&n);
    CHECK(n == 8);
    const char *names[] = {"reorient", "cartpole", "ball_balance", "quadcopter", "ant", "humanoid",
                           "reorient_muscle", "baoding"};
    for (int i = 0; i < 8; i++) {
        CHECK(task_find(names[i]) != NULL);
        CHECK_STR_CONTAINS(task_names(), names[i]);
    }
    for (int i = 0; i < n; i++) CHECK(task_find(all[i]->name) == all[i]);
    // A curriculum knob comes with the words `eureka tasks` says of it.
    for (int i = 0; i < n; i++)
        CHECK_MSG(!all[i]->reset_level == !all[i]->curriculum_doc, "%s: reset_level and curriculum_doc", all[i]->name);
    CHECK(task_find("nope") == NULL);
    CHECK(task_find(NULL) == NULL);
    char buf[4096];
    err_info e = {0};
    CHECK(task_file(task_find("cartpole"), "model.xml", buf, sizeof buf, &e) == ERR_OK);
    CHECK(fs_exists(buf));
    CHECK(task_file(task_find("cartpole"), "x", buf, 8, &e) == ERR_LIMIT);
}

// Model loads; observe and fill write exactly obs_dim floats and state_size bytes.
static void test_sizes(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        err_info e = {0};
        venv *v = venv_new(t, 1, 3, NULL, &e);
        CHECK_MSG(v != NULL, "%s: %s", t->name, e.msg);
        if (!v) continue;
        const mjModel *m = venv_model(v);
        CHECK_MSG(m->nu == t->act_dim, "%s: nu %d act_dim %d", t->name, m->nu, t->act_dim);
        CHECK(t->episode_steps > 0 && t->frame_skip > 0 && t->n_eval > 0 && t->fitness_doc);
        CHECK(t->defaults.train_steps > 0);
        mjData *d = mj_makeData(m);
        void *inst = calloc(1, t->inst_size);
        rng r;
        rng_seed(&r, 1, 0);
        task_reset(t, m, d, inst, &r, -1);
        float obs[256];
        for (int j = 0; j < 256; j++) obs[j] = NAN;
        t->observe(m, d, inst, obs);
        int ok = 1;
        for (int j = 0; j < t->obs_dim; j++) ok &= isfinite(obs[j]);
        for (int j = t->obs_dim; j < 256; j++) ok &= isnan(obs[j]);
        CHECK_MSG(ok, "%s: observe does not write exactly %d finite floats", t->name, t->obs_dim);
        unsigned char st[4096];
        memset(st, 0xAB, sizeof st);
        double a[64] = {0};
        t->fill(m, d, inst, a, st);
        int tail = 1;
        for (size_t j = t->state_size; j < sizeof st; j++) tail &= st[j] == 0xAB;
        CHECK_MSG(tail, "%s: fill writes past state_size", t->name);
        // needs_poses = 0 promises fill and observe read no poses: scrambling every pose
        // mj_kinematics computes must not change what they produce.
        if (!t->needs_poses) {
            unsigned char st2[4096];
            float obs2[256];
            mjData *d2 = mj_makeData(m);
            mj_copyData(d2, m, d);
            for (int j = 0; j < 3 * m->nbody; j++) d2->xpos[j] = d2->xipos[j] = 1e3 + j;
            for (int j = 0; j < 4 * m->nbody; j++) d2->xquat[j] = 0.5;
            for (int j = 0; j < 9 * m->nbody; j++) d2->xmat[j] = d2->ximat[j] = 0.25;
            for (int j = 0; j < 3 * m->ngeom; j++) d2->geom_xpos[j] = 2e3 + j;
            for (int j = 0; j < 9 * m->ngeom; j++) d2->geom_xmat[j] = 0.125;
            for (int j = 0; j < 3 * m->nsite; j++) d2->site_xpos[j] = 3e3 + j;
            for (int j = 0; j < 9 * m->nsite; j++) d2->site_xmat[j] = 0.0625;
            memset(st2, 0xAB, sizeof st2);
            t->fill(m, d2, inst, a, st2);
            t->observe(m, d2, inst, obs2);
            CHECK_MSG(memcmp(st, st2, t->state_size) == 0 &&
                      memcmp(obs, obs2, t->obs_dim * sizeof(float)) == 0,
                      "%s: needs_poses = 0 but fill or observe reads poses", t->name);
            mj_deleteData(d2);
        }
        free(inst);
        mj_deleteData(d);
        venv_free(v);
    }
}

// env.h as the compiled reward sees it (tcc) has the size and layout task.c fills (gcc).
static double probe_call(rcomp *c, const void *state) {
    reward_terms t;
    reward_terms_clear(&t);
    return rcomp_fn(c)(state, &t);
}

static void test_env_h_layout(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        char *env_h = task_text(t, "env.h");
        CHECK_MSG(env_h != NULL, "%s: env.h missing", t->name);
        if (!env_h) continue;
        err_info e = {0};
        rcomp *size = rcomp_new(rcomp_prelude(NULL), env_h, "double compute_reward(const env_state *s, reward_terms *t) {\n"
                                       "    return term(t, \"size\", (double)sizeof(env_state));\n}\n", &e);
        CHECK_MSG(size != NULL, "%s: %s", t->name, e.msg);
        rcomp *step = rcomp_new(rcomp_prelude(NULL), env_h, "double compute_reward(const env_state *s, reward_terms *t) {\n"
                                       "    return term(t, \"step\", (double)s->step);\n}\n", &e);
        CHECK_MSG(step != NULL, "%s: %s", t->name, e.msg);
        if (size && step) {
            unsigned char st[4096] = {0};
            CHECK_MSG(probe_call(size, st) == (double)t->state_size, "%s: env.h size %g vs %zu",
                      t->name, probe_call(size, st), t->state_size);
            // Fill after 4 control steps: the reward must read step == 3.
            venv *v = venv_new(t, 1, 5, NULL, &e);
            double a[64] = {0};
            venv_step_out o;
            for (int s = 0; s < 4; s++) venv_step(v, 0, a, NULL, &o, &e);
            CHECK_MSG(probe_call(step, venv_state(v, 0)) == 3.0, "%s: step field", t->name);
            venv_free(v);
        }
        rcomp_free(size);
        rcomp_free(step);
        free(env_h);
    }
}

// Files of each task folder; the state fill is marked; rewards and components compile.
static void test_files_and_rewards(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        char *src = task_text(t, "task.c"), *desc = task_text(t, "description.txt");
        char *env_h = task_text(t, "env.h"), *comp = task_text(t, "components.txt");
        CHECK_MSG(src && desc && env_h && comp, "%s: a task file is missing", t->name);
        if (!src || !desc || !env_h || !comp) { free(src); free(desc); free(env_h); free(comp); continue; }
        char *b = strstr(src, "// BEGIN STATE"), *en = strstr(src, "// END STATE");
        CHECK_MSG(b && en && b < en && en - b < 2000, "%s: state fill markers", t->name);
        CHECK(strlen(desc) > 200);
        const char *kinds[] = {"human", "sparse"};
        for (int r = 0; r < 2; r++) {
            char path[4096];
            err_info e = {0};
            snprintf(path, sizeof path, "%s/rewards/%s_%s.c", fs_root(), t->name, kinds[r]);
            char *rw = fs_read(path, RCOMP_MAX_SOURCE, NULL, &e);
            CHECK_MSG(rw != NULL, "%s", e.msg);
            rcomp *c = rw ? rcomp_new(rcomp_prelude(NULL), env_h, rw, &e) : NULL;
            CHECK_MSG(c != NULL, "%s: %s", path, e.msg);
            rcomp_free(c);
            free(rw);
        }
        // Every components.txt line compiles as a term of a reward.
        int count = 0;
        for (char *line = strtok(comp, "\n"); line; line = strtok(NULL, "\n")) {
            if (!*line || *line == '#') continue;
            char *colon = strchr(line, ':');
            CHECK_MSG(colon != NULL, "%s: bad component line '%s'", t->name, line);
            if (!colon) continue;
            *colon = '\0';
            char rw[4096];
            snprintf(rw, sizeof rw, "double compute_reward(const env_state *s, reward_terms *t) {\n"
                     "    double r = 0.0;\n    r += term(t, \"%s\", %s);\n    return r;\n}\n",
                     line, colon + 1);
            err_info e = {0};
            rcomp *c = rcomp_new(rcomp_prelude(NULL), env_h, rw, &e);
            CHECK_MSG(c != NULL, "%s: component %s: %s", t->name, line, e.msg);
            rcomp_free(c);
            count++;
        }
        CHECK_MSG(count >= 6 && count <= 10, "%s: %d components", t->name, count);
        free(src); free(desc); free(env_h); free(comp);
    }
}

// Same seed -> same start; held-out case c -> the same start whatever the rng.
static void test_reset_determinism(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        err_info e = {0};
        venv *v = venv_new(t, 1, 1, NULL, &e);
        if (!v) { CHECK_MSG(0, "%s", e.msg); continue; }
        const mjModel *m = venv_model(v);
        mjData *d1 = mj_makeData(m), *d2 = mj_makeData(m);
        void *i1 = calloc(1, t->inst_size), *i2 = calloc(1, t->inst_size);
        rng r1, r2;
        rng_seed(&r1, 9, 2);
        rng_seed(&r2, 9, 2);
        task_reset(t, m, d1, i1, &r1, -1);
        task_reset(t, m, d2, i2, &r2, -1);
        CHECK(memcmp(d1->qpos, d2->qpos, m->nq * sizeof(mjtNum)) == 0);
        CHECK(memcmp(d1->qvel, d2->qvel, m->nv * sizeof(mjtNum)) == 0);
        CHECK(memcmp(i1, i2, t->inst_size) == 0);
        rng_seed(&r2, 10, 2);
        mj_resetData(m, d2);
        memset(i2, 0, t->inst_size);
        task_reset(t, m, d2, i2, &r2, -1);
        CHECK_MSG(memcmp(d1->qpos, d2->qpos, m->nq * sizeof(mjtNum)) != 0, "%s: seed ignored", t->name);
        // held-out case 3 twice with different rngs, and case 3 vs case 4
        rng_seed(&r1, 1, 0);
        rng_seed(&r2, 2, 0);
        mj_resetData(m, d1); memset(i1, 0, t->inst_size);
        mj_resetData(m, d2); memset(i2, 0, t->inst_size);
        task_reset(t, m, d1, i1, &r1, 3);
        task_reset(t, m, d2, i2, &r2, 3);
        CHECK_MSG(memcmp(d1->qpos, d2->qpos, m->nq * sizeof(mjtNum)) == 0 &&
                  memcmp(i1, i2, t->inst_size) == 0, "%s: eval case depends on the rng", t->name);
        mj_resetData(m, d2); memset(i2, 0, t->inst_size);
        task_reset(t, m, d2, i2, &r2, 4);
        CHECK_MSG(memcmp(d1->qpos, d2->qpos, m->nq * sizeof(mjtNum)) != 0 ||
                  memcmp(i1, i2, t->inst_size) != 0, "%s: eval cases 3 and 4 equal", t->name);
        free(i1); free(i2);
        mj_deleteData(d1); mj_deleteData(d2);
        venv_free(v);
    }
}

// Every task checks instances restored from a saved training: its own instances, fresh
// and through an episode, pass; bytes it could not have made (an id or counter far out
// of range) do not.
static void test_inst_ok(void) {
    int n;
    const task_def *const *all = task_all(&n);
    for (int k = 0; k < n; k++) {
        const task_def *t = all[k];
        CHECK_MSG(t->inst_ok != NULL, "%s has no inst_ok", t->name);
        if (!t->inst_ok) continue;
        venv *v = venv_new(t, 1, 1, NULL, NULL);
        if (!v) { CHECK(0); continue; }
        const mjModel *m = venv_model(v);
        mjData *d = mj_makeData(m);
        void *in = calloc(1, t->inst_size);
        rng r;
        rng_seed(&r, 4, 0);
        task_reset(t, m, d, in, &r, -1);
        int ok = t->inst_ok(m, in);
        double a[64] = {0};
        for (int s = 0; s < t->episode_steps; s++) {
            t->act(m, d, in, a);
            if (t->track) t->track(m, d, in);
            ok &= t->inst_ok(m, in);
        }
        CHECK_MSG(ok, "%s rejects its own instance", t->name);
        // Each int slot set to a huge value in turn: at least one is refused (the step
        // counter every task keeps is among them).
        int refused = 0;
        for (size_t off = 0; off + sizeof(int) <= t->inst_size; off += sizeof(int)) {
            unsigned char *copy = malloc(t->inst_size);
            memcpy(copy, in, t->inst_size);
            int big = 1 << 30;
            memcpy(copy + off, &big, sizeof big);
            refused += !t->inst_ok(m, copy);
            free(copy);
        }
        CHECK_MSG(refused >= 1, "%s accepts every forged instance", t->name);
        free(in);
        mj_deleteData(d);
        venv_free(v);
    }
}

static double rot_angle(const double a[4], const double b[4]) {
    double bc[4], r[4];
    mju_negQuat(bc, b);
    mju_mulQuat(r, a, bc);
    double s = sqrt(r[1] * r[1] + r[2] * r[2] + r[3] * r[3]);
    return 2 * asin(s > 1 ? 1 : s);
}

// Goals are 0.6-1.2 rad from the start (training and held-out); with a = 0 the fingertip
// spheres touch the cube's surface.
static void test_reorient_goals_and_pose(void) {
    const task_def *t = task_find("reorient");
    err_info e = {0};
    venv *v = venv_new(t, 1, 11, NULL, &e);
    if (!v) { CHECK_MSG(0, "%s", e.msg); return; }
    const mjModel *m = venv_model(v);
    mjData *d = mj_makeData(m);
    void *inst = calloc(1, t->inst_size);
    env_state s;
    double a[N_JOINTS] = {0}, lo = 9, hi = 0;
    rng r;
    rng_seed(&r, 5, 0);
    for (int c = -100; c < 100; c++) {
        mj_resetData(m, d);
        memset(inst, 0, t->inst_size);
        task_reset(t, m, d, inst, &r, c < 0 ? -1 : c);
        t->fill(m, d, inst, a, &s);
        double ang = rot_angle(s.goal_quat, s.cube_quat);
        if (ang < lo) lo = ang;
        if (ang > hi) hi = ang;
    }
    CHECK_MSG(lo >= 0.6 - 1e-9 && hi <= 1.2 + 1e-9, "goal angles %.3f..%.3f", lo, hi);
    CHECK(hi - lo > 0.4);
    // The curriculum's level scales the range (up to the 0.1 rad start tilt's effect,
    // which the goal rotation is applied after), and level 1 is the task itself.
    lo = 9, hi = 0;
    for (int c = 0; c < 100; c++) {
        mj_resetData(m, d);
        memset(inst, 0, t->inst_size);
        t->reset_level(m, d, inst, &r, 0.25);
        t->fill(m, d, inst, a, &s);
        double ang = rot_angle(s.goal_quat, s.cube_quat);
        lo = ang < lo ? ang : lo;
        hi = ang > hi ? ang : hi;
    }
    CHECK_MSG(lo >= 0.15 - 1e-9 && hi <= 0.3 + 1e-9, "level 0.25: goal angles %.3f..%.3f", lo, hi);
    env_state s1, s2;
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    rng r1, r2;
    rng_seed(&r1, 8, 1);
    rng_seed(&r2, 8, 1);
    mj_resetData(m, d);
    memset(inst, 0, t->inst_size);
    t->reset_level(m, d, inst, &r1, 1.0);
    t->fill(m, d, inst, a, &s1);
    mj_resetData(m, d);
    memset(inst, 0, t->inst_size);
    t->reset(m, d, inst, &r2);
    t->fill(m, d, inst, a, &s2);
    CHECK(memcmp(&s1, &s2, sizeof s1) == 0);
    // a = 0 for 10 control steps: each fingertip sphere (radius 1 cm) within 3 mm of
    // touching the cube (penetration or gap), measured in the cube's frame.
    venv_step_out o;
    for (int k = 0; k < 10; k++) venv_step(v, 0, a, NULL, &o, &e);
    const env_state *vs = venv_state(v, 0);
    for (int f = 0; f < N_FINGERS; f++) {
        double rel[3], loc[3], qc[4], out = 0, in = 1;
        mju_sub3(rel, vs->fingertip_pos[f], vs->cube_pos);
        mju_negQuat(qc, vs->cube_quat);
        mju_rotVecQuat(loc, rel, qc);
        for (int j = 0; j < 3; j++) {
            double g = fabs(loc[j]) - CUBE_HALF_SIZE;
            if (g > 0) out += g * g;
            if (-g < in) in = -g;
        }
        double surf = out > 0 ? sqrt(out) : -in;   // signed distance to the box surface
        double gap = surf - 0.01;
        CHECK_MSG(fabs(gap) < 0.003, "fingertip %d: %.4f m from the cube surface", f, gap);
    }
    free(inst);
    mj_deleteData(d);
    venv_free(v);
}

// `eureka tasks`: every task in the table and the JSON; an unknown name lists the known.
static void test_cli(void) {
    FILE *f = popen(EUREKA_BIN " tasks --json 2>&1", "r");
    char buf[16384];
    const char *out = buf;     // the CHECK macro wants a pointer
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    CHECK(f && pclose(f) == 0);
    const char *names[] = {"\"reorient\"", "\"cartpole\"", "\"ball_balance\"", "\"quadcopter\"",
                           "\"ant\"", "\"humanoid\"", "\"reorient_muscle\"", "\"baoding\""};
    for (int i = 0; i < 8; i++) CHECK_STR_CONTAINS(out, names[i]);
    CHECK_STR_CONTAINS(out, "\"obs_dim\":\t51");
    CHECK_STR_CONTAINS(out, "\"episode_seconds\":\t3");
    CHECK_STR_CONTAINS(out, "\"curriculum\":\t\"the targets' speed");
    CHECK_STR_CONTAINS(out, "\"curriculum\":\tnull");
    f = popen(EUREKA_BIN " tasks 2>&1", "r");
    n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    CHECK(f && pclose(f) == 0);
    CHECK_STR_CONTAINS(out, "75 x 25 Hz = 3 s");
    CHECK_STR_CONTAINS(out, "fitness: success rate over 100 held-out goals");
    CHECK_STR_CONTAINS(out, "--curriculum: the goal rotation: level x 0.6-1.2 rad");
    f = popen(EUREKA_BIN " tasks nope 2>&1", "r");
    n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    int st = f ? pclose(f) : -1;
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    CHECK_STR_CONTAINS(out, "unknown task 'nope' (known tasks: reorient, cartpole, ball_balance, quadcopter, ant, humanoid, "
                      "reorient_muscle, baoding)");
}

int main(void) {
    TEST_RUN(test_registry);
    TEST_RUN(test_sizes);
    TEST_RUN(test_env_h_layout);
    TEST_RUN(test_files_and_rewards);
    TEST_RUN(test_reset_determinism);
    TEST_RUN(test_inst_ok);
    TEST_RUN(test_reorient_goals_and_pose);
    TEST_RUN(test_cli);
    TEST_END();
}
