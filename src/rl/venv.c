// venv.c: vectorised environments of one task.
//
// One mjModel shared read-only by every environment, one mjData per environment, one
// rng stream per environment (rng_seed(seed, index)), so environment i behaves the same
// whether it is stepped alone, in order, or on another thread. Everything an
// environment touches during venv_step lives in its own venv_env, which is what makes
// concurrent venv_step calls on different indices safe.
//
// The reward is the only generated code on this path. Around each call we check what
// the ABI promises: the state comes back unchanged (a copy is compared), at most 16
// well-named components, every component and the total finite. Any breach stops the
// step with ERR_NONFINITE / ERR_REWARD and a one-line message that goes back to the LLM.
#include "rl/venv.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/pool.h"

#define VENV_MAX_ACT 64

// Per-environment statistics since the last harvest; names copied, not borrowed,
// so they outlive the compiled reward's string literals.
typedef struct env_stats {
    int n_terms;
    char names[REWARD_MAX_TERMS][REWARD_NAME_MAX];
    const char *last_ptr[REWARD_MAX_TERMS];   // pointer seen last time (fast path)
    double term_sum[REWARD_MAX_TERMS];
    double reward_sum;
    long steps, episodes, len_sum, unstable;
    double fitness_sum;
} env_stats;

// Aligned to cache lines: neighbouring environments are stepped by different threads,
// and a shared line would bounce between cores on every step.
typedef struct venv_env {
    _Alignas(64) mjData *d;
    rng r;
    void *inst;
    unsigned char *state, *state_copy;
    float *obs;
    double act[VENV_MAX_ACT];
    int ep_steps;
    env_stats st;
    reward_terms terms;     // kept across steps: its name cache makes term() cheap
} venv_env;

struct venv {
    const task_def *task;
    mjModel *m;
    reward_fn fn;
    uint64_t seed;
    int n;
    double level;           // difficulty of training episodes (task_def.reset_level)
    venv_env *env;
};

const task_def *venv_task(const venv *v) { return v->task; }
int venv_count(const venv *v) { return v->n; }
const mjModel *venv_model(const venv *v) { return v->m; }
const float *venv_obs(const venv *v, int i) { return v->env[i].obs; }
const mjData *venv_data(const venv *v, int i) { return v->env[i].d; }
const void *venv_state(const venv *v, int i) { return v->env[i].state; }

int venv_set_level(venv *v, double level) {
    if (!(level > 0 && level <= 1) || (level < 1 && !v->task->reset_level)) return ERR_USAGE;
    v->level = level;
    return ERR_OK;
}

double venv_level(const venv *v) { return v->level; }

// Start an episode: clean mjData (this also clears the warning counters), clean task
// data, then the task's own randomisation.
static void reset_one(const task_def *t, const mjModel *m, mjData *d, void *inst, rng *r,
                      int eval_case, double level) {
    mj_resetData(m, d);
    if (t->inst_size) memset(inst, 0, t->inst_size);
    if (eval_case < 0 && level < 1 && t->reset_level) t->reset_level(m, d, inst, r, level);
    else task_reset(t, m, d, inst, r, eval_case);
}

// Physics of one control step: frame_skip steps, then, for tasks that read poses, the
// kinematics of the final positions (mj_step leaves xpos one physics step behind qpos;
// mj_kinematics is the cheap way to catch up, no mj_forward). Returns the number of
// MuJoCo warnings raised (bad qacc, full contact list, ...): the episode is unusable.
static int physics_step(const task_def *t, const mjModel *m, mjData *d) {
    for (int k = 0; k < t->frame_skip; k++) mj_step(m, d);
    int warned = 0;
    for (int w = 0; w < mjNWARNING; w++) warned += d->warning[w].number;
    if (!warned && t->needs_poses) mj_kinematics(m, d);
    return warned;
}

static void clip_action(const task_def *t, const double *a, double *out) {
    for (int j = 0; j < t->act_dim; j++) {
        double x = a ? a[j] : 0.0;
        out[j] = x != x ? 0.0 : (x < -1.0 ? -1.0 : (x > 1.0 ? 1.0 : x));
    }
}

static void fresh_episode(venv *v, venv_env *en) {
    const task_def *t = v->task;
    reset_one(t, v->m, en->d, en->inst, &en->r, -1, v->level);
    memset(en->act, 0, sizeof en->act);
    t->fill(v->m, en->d, en->inst, en->act, en->state);
    t->observe(v->m, en->d, en->inst, en->obs);
    en->ep_steps = 0;
}

int venv_action_range(const venv *v, double *lo, double *hi, double *dir, err_info *e) {
    const task_def *t = v->task;
    const mjModel *m = v->m;
    int nu = t->act_dim;
    mjData *d = mj_makeData(m);
    void *inst = calloc(1, t->inst_size ? t->inst_size : 1);
    if (!d || !inst) {
        if (d) mj_deleteData(d);
        free(inst);
        return err_set(e, ERR_NOMEM, "out of memory probing the actions of %s", t->name);
    }
    rng r;
    rng_seed(&r, 0x5eed0fe7a1ULL, 0);
    reset_one(t, m, d, inst, &r, 0, 1.0);
    // The control at a = -1, 0 and +1 for every action at once: act() maps each action to
    // its own actuator, so the three rows give each actuator's line.
    double probe[3][VENV_MAX_ACT], a[VENV_MAX_ACT];
    for (int k = 0; k < 3; k++) {
        for (int j = 0; j < nu; j++) a[j] = k - 1.0;
        t->act(m, d, inst, a);
        for (int j = 0; j < nu; j++) probe[k][j] = d->ctrl[j];
    }
    for (int j = 0; j < nu; j++) {
        double c0 = probe[0][j], cm = probe[1][j], c1 = probe[2][j];
        dir[j] = c1 < c0 ? -1.0 : 1.0;
        lo[j] = -1.0;
        hi[j] = 1.0;
        int affine = fabs(cm - 0.5 * (c0 + c1)) <= 1e-9 * (fabs(c0) + fabs(c1) + 1.0);
        if (!m->actuator_ctrllimited[j] || c1 == c0 || !affine) continue;
        const double *range = m->actuator_ctrlrange + 2 * j;
        double a0 = -1.0 + 2.0 * (range[0] - c0) / (c1 - c0);
        double a1 = -1.0 + 2.0 * (range[1] - c0) / (c1 - c0);
        double l = fmax(-1.0, fmin(a0, a1)), h = fmin(1.0, fmax(a0, a1));
        if (l < h) { lo[j] = l; hi[j] = h; }
    }
    mj_deleteData(d);
    free(inst);
    return ERR_OK;
}

// Models loaded by venv_preload, copied by venv_new. A worker preloads before its
// seccomp filter, so the process that runs generated code never needs to open a file.
static struct { const task_def *t; mjModel *m; } model_cache[16];
static int n_cached;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static mjModel *cached_copy(const task_def *t) {
    mjModel *m = NULL;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < n_cached && !m; i++)
        if (model_cache[i].t == t) m = mj_copyModel(NULL, model_cache[i].m);
    pthread_mutex_unlock(&cache_lock);
    return m;
}

// A fresh model of t (before t->setup): a copy of the preloaded one, else from model.xml.
static mjModel *load_model(const task_def *t, char *path, size_t n, err_info *e) {
    if (task_file(t, "model.xml", path, n, e)) return NULL;
    mjModel *m = cached_copy(t);
    if (m) return m;
    char lerr[1000] = "";
    m = mj_loadXML(path, NULL, lerr, sizeof lerr);
    if (!m) {
        for (char *p = lerr; *p; p++) if (*p == '\n') *p = ' ';
        err_set(e, ERR_PHYSICS, "%s: %s", path, lerr[0] ? lerr : "MuJoCo could not load the model");
    }
    return m;
}

int venv_preload(const task_def *t, err_info *e) {
    char path[4096];
    mjModel *m = cached_copy(t);
    if (m) { mj_deleteModel(m); return ERR_OK; }
    if (!(m = load_model(t, path, sizeof path, e))) return e ? e->code : ERR_PHYSICS;
    pthread_mutex_lock(&cache_lock);
    int full = n_cached == (int)(sizeof model_cache / sizeof model_cache[0]);
    if (!full) { model_cache[n_cached].t = t; model_cache[n_cached].m = m; n_cached++; }
    pthread_mutex_unlock(&cache_lock);
    if (full) mj_deleteModel(m);  // still correct, just loads from the file again
    return ERR_OK;
}

void venv_restart(venv *v) {
    for (int i = 0; i < v->n; i++) fresh_episode(v, &v->env[i]);
}

// Make n_envs environments of task t.
venv *venv_new(const task_def *t, int n_envs, uint64_t seed, reward_fn fn, err_info *e) {
    if (!t) { err_set(e, ERR_NOTFOUND, "no task given (known tasks: %s)", task_names()); return NULL; }
    if (n_envs < 1 || n_envs > 65536) {
        err_set(e, ERR_USAGE, "%d environments requested: use 1..65536", n_envs);
        return NULL;
    }
    if (t->act_dim < 1 || t->act_dim > VENV_MAX_ACT) {
        err_set(e, ERR_INTERNAL, "task %s: act_dim %d outside 1..%d", t->name, t->act_dim,
                VENV_MAX_ACT);
        return NULL;
    }
    char path[4096];
    mjModel *m = load_model(t, path, sizeof path, e);
    if (!m) return NULL;
    if (m->nu != t->act_dim) {
        err_set(e, ERR_PHYSICS, "%s: %d actuators but task %s expects %d", path, m->nu, t->name,
                t->act_dim);
        mj_deleteModel(m);
        return NULL;
    }
    if (t->setup) {
        char serr[256] = "";
        if (t->setup(m, serr, sizeof serr)) {
            err_set(e, ERR_PHYSICS, "%s: %s", path, serr[0] ? serr : "task setup failed");
            mj_deleteModel(m);
            return NULL;
        }
    }
    venv *v = calloc(1, sizeof *v);
    if (!v) { mj_deleteModel(m); err_set(e, ERR_NOMEM, "out of memory for environments"); return NULL; }
    v->task = t; v->m = m; v->fn = fn; v->seed = seed; v->n = n_envs; v->level = 1.0;
    v->env = aligned_alloc(64, (size_t)n_envs * sizeof *v->env);
    if (!v->env) goto nomem;
    memset(v->env, 0, (size_t)n_envs * sizeof *v->env);
    for (int i = 0; i < n_envs; i++) {
        venv_env *en = &v->env[i];
        en->d = mj_makeData(m);
        en->inst = calloc(1, t->inst_size ? t->inst_size : 1);
        en->state = calloc(1, t->state_size ? t->state_size : 1);
        en->state_copy = calloc(1, t->state_size ? t->state_size : 1);
        reward_terms_clear(&en->terms);
        en->obs = calloc((size_t)t->obs_dim + 1, sizeof(float));
        if (!en->d || !en->inst || !en->state || !en->state_copy || !en->obs) goto nomem;
        rng_seed(&en->r, seed, (uint64_t)i);
        fresh_episode(v, en);
    }
    return v;
nomem:
    venv_free(v);
    err_set(e, ERR_NOMEM, "out of memory for %d environments of %s", n_envs, t->name);
    return NULL;
}

void venv_free(venv *v) {
    if (!v) return;
    if (v->env) {
        for (int i = 0; i < v->n; i++) {
            venv_env *en = &v->env[i];
            if (en->d) mj_deleteData(en->d);
            free(en->inst); free(en->state); free(en->state_copy); free(en->obs);
        }
        free(v->env);
    }
    if (v->m) mj_deleteModel(v->m);
    free(v);
}

// Slot of component `name` in this environment's statistics (copying the name the
// first time), or -1 when all slots are taken. A reward records its components in the
// same order every call, so the hint (the component's index this call) is usually right.
static int stat_slot(env_stats *st, const char *name, int hint) {
    if (hint < st->n_terms && st->last_ptr[hint] == name) return hint;
    for (int k = 0; k < st->n_terms; k++)
        if (st->last_ptr[k] == name) return k;
    for (int k = 0; k < st->n_terms; k++)
        if (strcmp(st->names[k], name) == 0) { st->last_ptr[k] = name; return k; }
    if (st->n_terms >= REWARD_MAX_TERMS) return -1;
    int k = st->n_terms++;
    size_t len = strlen(name);
    if (len >= REWARD_NAME_MAX) len = REWARD_NAME_MAX - 1;
    memcpy(st->names[k], name, len);
    st->names[k][len] = '\0';
    st->last_ptr[k] = name;
    st->term_sum[k] = 0.0;
    return k;
}

static const char *nonfinite_word(double x) { return x != x ? "NaN" : "infinite"; }

// Call the candidate on this environment's state and check the ABI around the call.
static int call_reward(venv *v, venv_env *en, double *reward, err_info *e) {
    const task_def *t = v->task;
    reward_terms *terms = &en->terms;
    reward_terms_next(terms);
    memcpy(en->state_copy, en->state, t->state_size);
    double r = v->fn(en->state, terms);
    int step = en->ep_steps;    // 1-based count of control steps in this episode
    if (memcmp(en->state_copy, en->state, t->state_size) != 0)
        return err_set(e, ERR_REWARD, "compute_reward wrote to its state argument at step %d "
                       "of an episode: treat `s` as read-only", step);
    if (!reward_terms_valid(terms)) {  // host memory the reward can reach: names re-validated
        reward_terms_clear(terms);
        return err_set(e, ERR_REWARD, "compute_reward overwrote its reward_terms at step %d of an "
                       "episode: record components only through term()", step);
    }
    if (terms->overflow)
        return err_set(e, ERR_REWARD, "compute_reward recorded more than %d distinct components "
                       "with term(): merge or drop some", REWARD_MAX_TERMS);
    if (terms->bad_name)
        return err_set(e, ERR_REWARD, "term() got a component name that is not a C identifier "
                       "of at most %d characters: use names like \"rot_reward\"",
                       REWARD_NAME_MAX - 1);
    for (int k = 0; k < terms->n; k++) {
        double x = terms->value[k];
        if (x - x != 0.0)
            return err_set(e, ERR_NONFINITE, "reward component '%s' is %s at step %d of an episode",
                           terms->names[k], nonfinite_word(x), step);
    }
    if (r - r != 0.0)
        return err_set(e, ERR_NONFINITE, "the total reward is %s at step %d of an episode",
                       nonfinite_word(r), step);
    env_stats *st = &en->st;
    for (int k = 0; k < terms->n; k++) {
        int slot = stat_slot(st, terms->names[k], k);
        if (slot >= 0) st->term_sum[slot] += terms->value[k];
    }
    st->reward_sum += r;
    *reward = r;
    return ERR_OK;
}

// One control step of environment i.
int venv_step(venv *v, int i, const double *a, float *final_obs, venv_step_out *out,
              err_info *e) {
    const task_def *t = v->task;
    const mjModel *m = v->m;
    if (i < 0 || i >= v->n)
        return err_set(e, ERR_INTERNAL, "venv_step: environment %d of %d", i, v->n);
    venv_env *en = &v->env[i];
    venv_step_out o = {0};
    clip_action(t, a, en->act);
    t->act(m, en->d, en->inst, en->act);
    int warned = physics_step(t, m, en->d);
    en->ep_steps++;
    en->st.steps++;
    if (warned) {
        // Unstable simulation: the state is meaningless. End the episode without a
        // reward or a fitness; the trainer sees a terminal step.
        if (final_obs) memcpy(final_obs, en->obs, (size_t)t->obs_dim * sizeof(float));
        en->st.unstable++;
        fresh_episode(v, en);
        o.done = 1;
        if (out) *out = o;
        return ERR_OK;
    }
    t->fill(m, en->d, en->inst, en->act, en->state);
    if (v->fn) {
        int rc = call_reward(v, en, &o.reward, e);
        if (rc) return rc;
    }
    if (t->track) t->track(m, en->d, en->inst);
    int term = t->done ? t->done(m, en->d, en->inst) : 0;
    int trunc = en->ep_steps >= t->episode_steps;
    if (term || trunc) {
        en->st.episodes++;
        en->st.len_sum += en->ep_steps;
        en->st.fitness_sum += t->fitness(m, en->d, en->inst, en->ep_steps);
        if (final_obs) t->observe(m, en->d, en->inst, final_obs);
        fresh_episode(v, en);
        o.done = 1;
        o.truncated = !term;
    } else {
        t->observe(m, en->d, en->inst, en->obs);
    }
    if (out) *out = o;
    return ERR_OK;
}

// Merge and clear the per-environment statistics (names in order of first appearance,
// scanning environments in index order, so the result is deterministic).
void venv_harvest(venv *v, venv_stats *out) {
    venv_stats s;
    memset(&s, 0, sizeof s);
    double sums[REWARD_MAX_TERMS] = {0}, reward = 0.0, fit = 0.0;
    long len = 0;
    for (int i = 0; i < v->n; i++) {
        env_stats *st = &v->env[i].st;
        for (int k = 0; k < st->n_terms; k++) {
            int j = 0;
            while (j < s.n_terms && strcmp(s.names[j], st->names[k]) != 0) j++;
            if (j == s.n_terms) {
                if (s.n_terms >= REWARD_MAX_TERMS) continue;
                memcpy(s.names[j], st->names[k], REWARD_NAME_MAX);
                s.n_terms++;
            }
            sums[j] += st->term_sum[k];
        }
        reward += st->reward_sum;
        fit += st->fitness_sum;
        len += st->len_sum;
        s.steps += st->steps;
        s.episodes += st->episodes;
        s.unstable += st->unstable;
        memset(st, 0, sizeof *st);
    }
    if (s.steps > 0) {
        for (int j = 0; j < s.n_terms; j++) s.term_mean[j] = sums[j] / (double)s.steps;
        s.reward_mean = reward / (double)s.steps;
    }
    if (s.episodes > 0) {
        s.episode_len_mean = (double)len / (double)s.episodes;
        s.fitness_mean = fit / (double)s.episodes;
    }
    if (out) *out = s;
}

// ---- saving and restoring (resumable training) -------------------------------------

// The arrays of mjData that mj_step reads and does not recompute, with their lengths.
typedef struct data_input { mjtNum *p; int n; } data_input;

static int data_inputs(const mjModel *m, mjData *d, data_input out[10]) {
    data_input in[10] = {
        {d->qpos, m->nq}, {d->qvel, m->nv}, {d->act, m->na}, {d->ctrl, m->nu},
        {d->qacc_warmstart, m->nv}, {d->qfrc_applied, m->nv}, {d->xfrc_applied, 6 * m->nbody},
        {d->mocap_pos, 3 * m->nmocap}, {d->mocap_quat, 4 * m->nmocap}, {d->userdata, m->nuserdata},
    };
    memcpy(out, in, sizeof in);
    return 10;
}

// The sizes a saved set of environments must share with the one it is restored into.
#define VENV_N_DIMS 12
static void venv_dims(const venv *v, int64_t dims[VENV_N_DIMS]) {
    const task_def *t = v->task;
    const mjModel *m = v->m;
    int64_t d[VENV_N_DIMS] = {v->n, t->obs_dim, t->act_dim, (int64_t)t->state_size,
                              (int64_t)t->inst_size, m->nq, m->nv, m->na, m->nu, m->nbody,
                              m->nmocap, m->nuserdata};
    memcpy(dims, d, sizeof d);
}

void venv_save(const venv *v, buf *b) {
    const task_def *t = v->task;
    const mjModel *m = v->m;
    int64_t dims[VENV_N_DIMS];
    venv_dims(v, dims);
    for (int k = 0; k < VENV_N_DIMS; k++) ser_put_i64(b, dims[k]);
    ser_put_f64(b, v->level);
    for (int i = 0; i < v->n; i++) {
        const venv_env *en = &v->env[i];
        data_input in[10];
        int n_in = data_inputs(m, en->d, in);
        ser_put_f64(b, en->d->time);
        for (int k = 0; k < n_in; k++) ser_put(b, in[k].p, (size_t)in[k].n * sizeof(mjtNum));
        ser_put(b, en->r.s, sizeof en->r.s);
        ser_put(b, en->inst, t->inst_size);
        ser_put(b, en->state, t->state_size);
        ser_put(b, en->obs, (size_t)t->obs_dim * sizeof(float));
        ser_put(b, en->act, (size_t)t->act_dim * sizeof(double));
        ser_put_i64(b, en->ep_steps);
        const env_stats *st = &en->st;
        ser_put_i64(b, st->n_terms);
        for (int k = 0; k < st->n_terms; k++) {
            ser_put(b, st->names[k], REWARD_NAME_MAX);
            ser_put_f64(b, st->term_sum[k]);
        }
        ser_put_f64(b, st->reward_sum);
        ser_put_f64(b, st->fitness_sum);
        int64_t counts[] = {st->steps, st->episodes, st->len_sum, st->unstable};
        for (int k = 0; k < 4; k++) ser_put_i64(b, counts[k]);
    }
}

int venv_load(venv *v, ser_reader *r, err_info *e) {
    const task_def *t = v->task;
    const mjModel *m = v->m;
    int64_t want[VENV_N_DIMS];
    venv_dims(v, want);
    for (int k = 0; k < VENV_N_DIMS; k++)
        if (ser_get_i64(r) != want[k])
            return err_set(e, ERR_PARSE, "saved environments do not match %d environments of "
                           "task %s (this model or count): start the training afresh", v->n, t->name);
    double level = ser_get_f64(r);
    if (!r->failed && venv_set_level(v, level))
        return err_set(e, ERR_PARSE, "saved environments have difficulty level %g, which task %s "
                       "does not have: the saved training is corrupt", level, t->name);
    for (int i = 0; i < v->n && !r->failed; i++) {
        venv_env *en = &v->env[i];
        data_input in[10];
        int n_in = data_inputs(m, en->d, in);
        en->d->time = ser_get_f64(r);
        for (int k = 0; k < n_in; k++) ser_get(r, in[k].p, (size_t)in[k].n * sizeof(mjtNum));
        ser_get(r, en->r.s, sizeof en->r.s);
        ser_get(r, en->inst, t->inst_size);
        ser_get(r, en->state, t->state_size);
        ser_get(r, en->obs, (size_t)t->obs_dim * sizeof(float));
        ser_get(r, en->act, (size_t)t->act_dim * sizeof(double));
        en->ep_steps = (int)ser_get_range(r, 0, t->episode_steps);
        if (!r->failed && t->inst_ok && !t->inst_ok(m, en->inst))
            return err_set(e, ERR_PARSE, "saved environment %d holds a task instance task %s "
                           "could not have made: the saved training is corrupt", i, t->name);
        env_stats *st = &en->st;
        memset(st, 0, sizeof *st);
        st->n_terms = (int)ser_get_range(r, 0, REWARD_MAX_TERMS);
        for (int k = 0; k < st->n_terms && !r->failed; k++) {
            ser_get(r, st->names[k], REWARD_NAME_MAX);
            st->term_sum[k] = ser_get_f64(r);
            if (!reward_slot_ok(st->names[k]))
                return err_set(e, ERR_PARSE, "saved environment %d has a component name that "
                               "is not a C identifier: the saved training is corrupt", i);
        }
        st->reward_sum = ser_get_f64(r);
        st->fitness_sum = ser_get_f64(r);
        st->steps = ser_get_range(r, 0, INT64_MAX);
        st->episodes = ser_get_range(r, 0, INT64_MAX);
        st->len_sum = ser_get_range(r, 0, INT64_MAX);
        st->unstable = ser_get_range(r, 0, INT64_MAX);
        reward_terms_clear(&en->terms);
    }
    if (r->failed)
        return err_set(e, ERR_PARSE, "saved environments of task %s are truncated or out of "
                       "range: the saved training is corrupt", t->name);
    return ERR_OK;
}

// ---- evaluation on the held-out cases ----------------------------------------------

// Held-out case c of a deterministic policy on d, inst and obs (the caller's), watched
// after the reset and after every control step when watch is given. Returns the fitness.
// The episode's fitness; *graded gets the task's graded fitness (the fitness when the
// task has none).
static double run_case(const venv *v, int c, venv_policy act_fn, void *ctx, int thread,
                       mjData *d, void *inst, float *obs, venv_watch watch, void *wctx,
                       int *length, double *graded) {
    const task_def *t = v->task;
    const mjModel *m = v->m;
    double raw[VENV_MAX_ACT], act[VENV_MAX_ACT];
    rng r;
    rng_seed(&r, 0x5eed0fe7a1ULL, (uint64_t)c);   // unused by held-out resets
    reset_one(t, m, d, inst, &r, c, 1.0);
    int steps = 0, end = 0;
    if (watch) watch(wctx, m, d, inst, 0, 0);
    while (!end) {
        t->observe(m, d, inst, obs);
        memset(raw, 0, sizeof raw);
        act_fn(ctx, thread, obs, raw);
        clip_action(t, raw, act);
        t->act(m, d, inst, act);
        int warned = physics_step(t, m, d);
        steps++;
        if (warned) end = 1;    // the episode ends; fitness of what is left
        else if (t->track) t->track(m, d, inst);
        if (!end) end = (t->done && t->done(m, d, inst)) || steps >= t->episode_steps;
        if (watch) watch(wctx, m, d, inst, steps, end);
    }
    *length = steps;
    double f = t->fitness(m, d, inst, steps);
    if (graded) *graded = t->graded ? t->graded(m, d, inst, steps) : f;
    return f;
}

// One evaluation: threads take cases in turn; thread i simulates on d[i], inst[i], obs[i].
typedef struct eval_run {
    const venv *v;
    venv_policy act_fn;
    void *ctx;
    int cases, next;
    double *fitness;    // per case
    double *graded;     // per case
    int *length;        // per case
    mjData *d[VENV_MAX_THREADS];
    void *inst[VENV_MAX_THREADS];
    float *obs[VENV_MAX_THREADS];
} eval_run;

static void eval_thread(void *ctx, int thread) {
    eval_run *r = ctx;
    for (;;) {
        int c = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED);
        if (c >= r->cases) break;
        r->fitness[c] = run_case(r->v, c, r->act_fn, r->ctx, thread, r->d[thread], r->inst[thread],
                                 r->obs[thread], NULL, NULL, &r->length[c], &r->graded[c]);
    }
}

// Check the arguments, size the per-case arrays, run on pl, and sum in case order: case c
// always runs the same way whichever thread takes it, so the answer does not depend on
// the number of threads.
static int eval_pool(eval_run *r, pool *pl, int cases, venv_eval *out, err_info *e) {
    const task_def *t = r->v->task;
    int n = cases > 0 ? cases : t->n_eval;
    if (n < 1) return err_set(e, ERR_INTERNAL, "task %s has no evaluation cases", t->name);
    if (n > VENV_MAX_CASES)
        return err_set(e, ERR_LIMIT, "%d evaluation cases asked for: use at most %d", n,
                       VENV_MAX_CASES);
    if (!r->act_fn) return err_set(e, ERR_INTERNAL, "venv_evaluate: no policy function");
    r->cases = n;
    r->next = 0;
    r->fitness = calloc((size_t)n, sizeof *r->fitness);
    r->graded = calloc((size_t)n, sizeof *r->graded);
    r->length = calloc((size_t)n, sizeof *r->length);
    int rc = ERR_OK;
    if (!r->fitness || !r->graded || !r->length) {
        rc = err_set(e, ERR_NOMEM, "out of memory for evaluation");
    } else {
        pool_run(pl, eval_thread, r);
        double fsum = 0.0, gsum = 0.0, lsum = 0.0, ss = 0.0;
        for (int c = 0; c < n; c++) { fsum += r->fitness[c]; gsum += r->graded[c]; lsum += r->length[c]; }
        double mean = fsum / n;
        for (int c = 0; c < n; c++) ss += (r->fitness[c] - mean) * (r->fitness[c] - mean);
        if (out) {
            out->cases = n;
            out->fitness = mean;
            out->fitness_sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
            out->graded = gsum / n;
            out->episode_len = lsum / n;
        }
    }
    free(r->fitness);
    free(r->graded);
    free(r->length);
    return rc;
}

int venv_evaluate(venv *v, venv_policy act_fn, void *ctx, int n_threads, int cases,
                  venv_eval *out, err_info *e) {
    const task_def *t = v->task;
    if (n_threads < 1) n_threads = 1;
    if (n_threads > VENV_MAX_THREADS) n_threads = VENV_MAX_THREADS;
    if (cases > 0 && n_threads > cases) n_threads = cases;
    eval_run r = {v, act_fn, ctx, 0, 0, NULL, NULL, NULL, {0}, {0}, {0}};
    int ok = 1;
    for (int k = 0; k < n_threads; k++) {
        r.d[k] = mj_makeData(v->m);
        r.inst[k] = calloc(1, t->inst_size ? t->inst_size : 1);
        r.obs[k] = calloc((size_t)t->obs_dim + 1, sizeof(float));
        ok &= r.d[k] && r.inst[k] && r.obs[k];
    }
    pool *pl = ok ? pool_new(n_threads, e) : NULL;
    int rc = pl ? eval_pool(&r, pl, cases, out, e)
                : err_set(e, ERR_NOMEM, "evaluation of %s: could not start %d threads or allocate "
                          "their simulations", t->name, n_threads);
    pool_free(pl);
    for (int k = 0; k < n_threads; k++) {
        if (r.d[k]) mj_deleteData(r.d[k]);
        free(r.inst[k]);
        free(r.obs[k]);
    }
    return rc;
}

int venv_evaluate_on(venv *v, pool *pl, venv_policy act_fn, void *ctx, int cases,
                     venv_eval *out, err_info *e) {
    if (pool_size(pl) > v->n)
        return err_set(e, ERR_INTERNAL, "venv_evaluate_on: %d threads but %d environments",
                       pool_size(pl), v->n);
    eval_run r = {v, act_fn, ctx, 0, 0, NULL, NULL, NULL, {0}, {0}, {0}};
    for (int k = 0; k < pool_size(pl); k++) {
        r.d[k] = v->env[k].d;
        r.inst[k] = v->env[k].inst;
        r.obs[k] = v->env[k].obs;
    }
    return eval_pool(&r, pl, cases, out, e);
}

int venv_episode(const venv *v, int eval_case, venv_policy act_fn, void *ctx, venv_watch watch,
                 void *wctx, double *fitness, int *steps, err_info *e) {
    const task_def *t = v->task;
    if (eval_case < 0 || eval_case >= VENV_MAX_CASES)
        return err_set(e, ERR_USAGE, "held-out case %d: use 0..%d", eval_case, VENV_MAX_CASES - 1);
    if (!act_fn) return err_set(e, ERR_INTERNAL, "venv_episode: no policy function");
    mjData *d = mj_makeData(v->m);
    void *inst = calloc(1, t->inst_size ? t->inst_size : 1);
    float *obs = calloc((size_t)t->obs_dim + 1, sizeof(float));
    int rc = ERR_OK, len = 0;
    if (!d || !inst || !obs) {
        rc = err_set(e, ERR_NOMEM, "out of memory for an episode of %s", t->name);
    } else {
        double f = run_case(v, eval_case, act_fn, ctx, 0, d, inst, obs, watch, wctx, &len, NULL);
        if (fitness) *fitness = f;
        if (steps) *steps = len;
    }
    if (d) mj_deleteData(d);
    free(inst);
    free(obs);
    return rc;
}
