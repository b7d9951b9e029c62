// ppo_state.c: a training saved after any update (state.bin), and put back (see
// ppo_state.h).
#include "rl/ppo_state.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rl/explore.h"

// Layout (native byte order; the blob is for this machine's build): a header (magic,
// version, byte-order mark, total length, FNV-1a hash of everything after the header,
// task name, obs/act dims, hidden, n_envs, seed), the settings that shape the training,
// the progress, then the learner, normalisers, rng streams, logged series, best
// checkpoint and the environments (venv_save). Any mismatch or damage is ERR_PARSE.

#define PPO_STATE_VERSION 5     // 2: exploration and curriculum; 3: the recent checkpoint
                                // policies; 4: --exploration dep; 5: graded checkpoints
#define PPO_STATE_BOM 0x0102030405060708ULL
#define PPO_TASK_NAME 32
#define PPO_HEADER_SIZE (8 + 4 * 8 + PPO_TASK_NAME + 4 * 8 + 8)
#define PPO_MAX_UPDATES (1L << 40)

static const char ppo_magic[8] = "EKTRAIN";

// The settings besides the header's that change what a training computes: a resumed
// training must use the saved ones.
typedef struct trained_field { const char *name; size_t off; int is_double; } trained_field;

static const trained_field trained_fields[] = {
    {"horizon", offsetof(train_cfg, horizon), 0},
    {"epochs", offsetof(train_cfg, epochs), 0},
    {"minibatches", offsetof(train_cfg, minibatches), 0},
    {"lr", offsetof(train_cfg, lr), 1},
    {"gamma", offsetof(train_cfg, gamma), 1},
    {"lambda", offsetof(train_cfg, lambda), 1},
    {"clip", offsetof(train_cfg, clip), 1},
    {"ent_coef", offsetof(train_cfg, ent_coef), 1},
    {"vf_coef", offsetof(train_cfg, vf_coef), 1},
    {"max_grad_norm", offsetof(train_cfg, max_grad_norm), 1},
    {"init_log_std", offsetof(train_cfg, init_log_std), 1},
    {"exploration", offsetof(train_cfg, exploration), 0},
    {"noise_period", offsetof(train_cfg, noise_period), 0},
    {"curriculum", offsetof(train_cfg, curriculum), 0},
    {"curriculum_threshold", offsetof(train_cfg, curriculum_threshold), 1},
    {"dep_kappa", offsetof(train_cfg, dep_kappa), 1},
    {"dep_bias_rate", offsetof(train_cfg, dep_bias_rate), 1},
    {"dep_prob", offsetof(train_cfg, dep_prob), 1},
    {"dep_tau", offsetof(train_cfg, dep_tau), 0},
    {"dep_delay", offsetof(train_cfg, dep_delay), 0},
    {"dep_smooth", offsetof(train_cfg, dep_smooth), 0},
    {"dep_length", offsetof(train_cfg, dep_length), 0},
};
#define N_TRAINED ((int)(sizeof trained_fields / sizeof trained_fields[0]))

static double field_get(const train_cfg *c, const trained_field *f) {
    const char *base = (const char *)c + f->off;
    return f->is_double ? *(const double *)base : (double)*(const int *)base;
}

static void field_set(train_cfg *c, const trained_field *f, double x) {
    char *base = (char *)c + f->off;
    if (f->is_double) *(double *)base = x;
    else *(int *)base = (int)x;
}

static void put_series(buf *b, const series *s) { ser_put(b, s->v, (size_t)s->n * sizeof(double)); }

static void put_floats(buf *b, const float *x, int n) { ser_put(b, x, (size_t)n * sizeof(float)); }

static void put_adam(buf *b, const mlp_adam *a) {
    ser_put_i64(b, a->t);
    put_floats(b, a->m, a->n);
    put_floats(b, a->v, a->n);
}

// The whole training state after p->updates updates; *out is owned by the caller.
int ppo_save(const ppo *p, void **out, size_t *out_len, err_info *e) {
    buf b;
    buf_init(&b, (size_t)1 << 32);
    char head[PPO_HEADER_SIZE] = {0};
    ser_put(&b, head, sizeof head);     // filled in below, once the length and hash are known
    for (int k = 0; k < N_TRAINED; k++) {
        const trained_field *f = &trained_fields[k];
        if (f->is_double) ser_put_f64(&b, field_get(&p->cfg, f));
        else ser_put_i64(&b, (int64_t)field_get(&p->cfg, f));
    }
    ser_put_i64(&b, p->updates);
    ser_put_f64(&b, p->seconds);
    put_floats(&b, p->actor->param, p->actor->n_params);
    put_floats(&b, p->critic->param, p->critic->n_params);
    put_floats(&b, p->log_std, p->n_ls);
    put_adam(&b, p->opt_a);
    put_adam(&b, p->opt_c);
    put_adam(&b, p->opt_l);
    ser_put(&b, p->om, (size_t)p->obs_dim * sizeof(double));
    ser_put(&b, p->ov, (size_t)p->obs_dim * sizeof(double));
    ser_put_f64(&b, p->oc);
    put_floats(&b, p->nm, p->obs_dim);
    put_floats(&b, p->ns, p->obs_dim);
    ser_put(&b, p->ret, (size_t)p->n_envs * sizeof(double));
    ser_put_f64(&b, p->rm);
    ser_put_f64(&b, p->rv);
    ser_put_f64(&b, p->rc);
    for (int i = 0; i < p->n_envs; i++) ser_put_i64(&b, p->age[i]);
    ser_put(&b, p->env_rng, (size_t)p->n_envs * sizeof(rng));
    ser_put(&b, &p->upd_rng, sizeof(rng));
    put_floats(&b, p->noise, p->n_envs * p->n_noise);
    for (int i = 0; i < p->n_envs; i++) ser_put_i64(&b, p->noise_age[i]);
    if (p->ex == EXPLORE_DEP) {
        ser_put(&b, p->dep_st, sizeof(double) * (size_t)p->n_envs * p->dep_n);
        ser_put(&b, p->dep_x, sizeof(double) * (size_t)p->n_envs * p->act_dim);
        for (int i = 0; i < p->n_envs; i++) ser_put_i64(&b, p->dep_left[i]);
    }
    ser_put_i64(&b, p->seen_episode);
    ser_put_f64(&b, p->last_eplen);
    ser_put_i64(&b, p->unstable);
    ser_put_i64(&b, p->n_comp);
    for (int k = 0; k < p->n_comp; k++) {
        ser_put(&b, p->comp_name[k], REWARD_NAME_MAX);
        put_series(&b, &p->comp[k]);
    }
    const series *per_update[] = {&p->rtot, &p->eplen, &p->pstd, &p->kl, &p->clipf, &p->level,
                                  &p->dep_steps, &p->trained};
    for (int k = 0; k < 8; k++) put_series(&b, per_update[k]);   // level: only with a curriculum;
                                                                 // dep_steps, trained: with dep
    ser_put_i64(&b, p->stage);
    ser_put_i64(&b, p->ck_fit.n);
    const series *per_ck[] = {&p->ck_steps, &p->ck_fit, &p->ck_sd, &p->ck_cases, &p->ck_len, &p->ck_graded};
    for (int k = 0; k < 6; k++) put_series(&b, per_ck[k]);
    ser_put_i64(&b, p->have_best);
    ser_put_f64(&b, p->best_fit);
    put_floats(&b, p->best_param, p->actor->n_params);
    put_floats(&b, p->best_nm, p->obs_dim);
    put_floats(&b, p->best_ns, p->obs_dim);
    ser_put_i64(&b, p->n_recent);
    for (int k = 0; k < p->n_recent; k++) {
        ser_put_f64(&b, p->recent_steps[k]);
        put_floats(&b, p->recent_param[k], p->actor->n_params);
        put_floats(&b, p->recent_nm[k], p->obs_dim);
        put_floats(&b, p->recent_ns[k], p->obs_dim);
    }
    venv_save(p->v, &b);
    if (b.failed) {
        int code = b.failed;
        buf_free(&b);
        return err_set(e, code, "trainer: out of memory saving the training state");
    }
    // The header.
    size_t len = b.len;
    unsigned char *blob = (unsigned char *)buf_take(&b);
    uint64_t hdr[4] = {PPO_STATE_VERSION, PPO_STATE_BOM, (uint64_t)len,
                       ser_hash(blob + PPO_HEADER_SIZE, len - PPO_HEADER_SIZE)};
    int64_t dims[4] = {p->obs_dim, p->act_dim, p->cfg.hidden, p->n_envs};
    char name[PPO_TASK_NAME] = {0};
    snprintf(name, sizeof name, "%s", p->t->name);
    unsigned char *h = blob;
    memcpy(h, ppo_magic, 8); h += 8;
    memcpy(h, hdr, sizeof hdr); h += sizeof hdr;
    memcpy(h, name, sizeof name); h += sizeof name;
    memcpy(h, dims, sizeof dims); h += sizeof dims;
    memcpy(h, &p->cfg.seed, 8);
    *out = blob;
    *out_len = len;
    return ERR_OK;
}

// Check a saved training's header and hash, and read its settings and progress; r is left
// at the learner. info->cfg gets the header's and trained_fields' settings.
int ppo_state_open(const void *blob, size_t len, ser_reader *r, ppo_saved *info,
                   err_info *e) {
    memset(info, 0, sizeof *info);
    const char *what = "a saved training";
    if (!blob || len < PPO_HEADER_SIZE || memcmp(blob, ppo_magic, 8) != 0)
        return err_set(e, ERR_PARSE, "%s: not a saved eureka training (too short or no "
                       "magic number)", what);
    ser_reader_init(r, blob, len);
    char magic[8];
    ser_get(r, magic, 8);
    uint64_t version = ser_get_u64(r), bom = ser_get_u64(r), total = ser_get_u64(r),
             hash = ser_get_u64(r);
    if (version != PPO_STATE_VERSION)
        return err_set(e, ERR_PARSE, "%s has format version %llu; this eureka reads version %d: "
                       "start the training afresh", what, (unsigned long long)version,
                       PPO_STATE_VERSION);
    if (bom != PPO_STATE_BOM)
        return err_set(e, ERR_PARSE, "%s was written on a machine of another byte order", what);
    if (total != len)
        return err_set(e, ERR_PARSE, "%s is %zu bytes but its header says %llu: it was "
                       "truncated or extended", what, len, (unsigned long long)total);
    if (ser_hash((const unsigned char *)blob + PPO_HEADER_SIZE, len - PPO_HEADER_SIZE) != hash)
        return err_set(e, ERR_PARSE, "%s is corrupt (its checksum does not match)", what);
    ser_get(r, info->task, PPO_TASK_NAME);
    if (!memchr(info->task, '\0', PPO_TASK_NAME) || !info->task[0])
        return err_set(e, ERR_PARSE, "%s names no task", what);
    info->obs_dim = (int)ser_get_range(r, 1, 1 << 20);
    info->act_dim = (int)ser_get_range(r, 1, 1 << 20);
    train_cfg *c = &info->cfg;
    c->hidden = (int)ser_get_range(r, 1, 1 << 20);
    c->n_envs = (int)ser_get_range(r, 1, 1 << 20);
    c->seed = ser_get_u64(r);
    for (int k = 0; k < N_TRAINED; k++) {
        const trained_field *f = &trained_fields[k];
        field_set(c, f, f->is_double ? ser_get_f64(r) : (double)ser_get_range(r, 0, 1 << 20));
    }
    info->updates = (long)ser_get_range(r, 0, PPO_MAX_UPDATES);
    info->seconds = ser_get_f64(r);
    info->steps = info->updates * c->n_envs * c->horizon;
    c->steps = info->steps;
    if (r->failed) return err_set(e, ERR_PARSE, "%s has settings out of range", what);
    return ERR_OK;
}

int ppo_state_info(const void *state, size_t len, ppo_saved *info, err_info *e) {
    ser_reader r;
    return ppo_state_open(state, len, &r, info, e);
}

// Refuse a saved training that another task or other settings made.
int ppo_state_match(const ppo *p, const ppo_saved *in, err_info *e) {
    const char *fix = "resume with the saved settings or start afresh";
    if (strcmp(in->task, p->t->name) != 0)
        return err_set(e, ERR_USAGE, "the saved training is for task %s, not %s", in->task,
                       p->t->name);
    if (in->obs_dim != p->obs_dim || in->act_dim != p->act_dim)
        return err_set(e, ERR_PARSE, "the saved training has %d observations and %d actions; "
                       "task %s now has %d and %d: start afresh", in->obs_dim, in->act_dim,
                       p->t->name, p->obs_dim, p->act_dim);
    if (in->cfg.hidden != p->cfg.hidden || in->cfg.n_envs != p->cfg.n_envs || in->cfg.seed != p->cfg.seed)
        return err_set(e, ERR_USAGE, "the saved training has hidden %d, %d environments, seed "
                       "%llu; this one asks for %d, %d, %llu: %s", in->cfg.hidden, in->cfg.n_envs,
                       (unsigned long long)in->cfg.seed, p->cfg.hidden, p->cfg.n_envs,
                       (unsigned long long)p->cfg.seed, fix);
    for (int k = 0; k < N_TRAINED; k++) {
        const trained_field *f = &trained_fields[k];
        double a = field_get(&in->cfg, f), b = field_get(&p->cfg, f);
        if (memcmp(&a, &b, sizeof a) != 0)
            return err_set(e, ERR_USAGE, "the saved training has %s %g; this one asks for %g: %s",
                           f->name, a, b, fix);
    }
    return ERR_OK;
}

static void get_floats(ser_reader *r, float *x, int n) { ser_get(r, x, (size_t)n * sizeof(float)); }

static void get_adam(ser_reader *r, mlp_adam *a) {
    a->t = (long)ser_get_range(r, 0, INT64_MAX);
    get_floats(r, a->m, a->n);
    get_floats(r, a->v, a->n);
}

static void get_series(ser_reader *r, series *s, int n) {
    s->n = n;
    ser_get(r, s->v, (size_t)n * sizeof(double));
}

// Everything after the settings (state_open), into a ppo made for the same settings with
// room for at least in->updates updates.
int ppo_load(ppo *p, ser_reader *r, const ppo_saved *in, err_info *e) {
    const char *corrupt = "the saved training is corrupt";
    int U = (int)in->updates;
    p->updates = in->updates;
    p->seconds = in->seconds;
    get_floats(r, p->actor->param, p->actor->n_params);
    get_floats(r, p->critic->param, p->critic->n_params);
    get_floats(r, p->log_std, p->n_ls);
    get_adam(r, p->opt_a);
    get_adam(r, p->opt_c);
    get_adam(r, p->opt_l);
    ser_get(r, p->om, (size_t)p->obs_dim * sizeof(double));
    ser_get(r, p->ov, (size_t)p->obs_dim * sizeof(double));
    p->oc = ser_get_f64(r);
    get_floats(r, p->nm, p->obs_dim);
    get_floats(r, p->ns, p->obs_dim);
    ser_get(r, p->ret, (size_t)p->n_envs * sizeof(double));
    p->rm = ser_get_f64(r);
    p->rv = ser_get_f64(r);
    p->rc = ser_get_f64(r);
    for (int i = 0; i < p->n_envs; i++) p->age[i] = (long)ser_get_range(r, 0, p->t->episode_steps);
    ser_get(r, p->env_rng, (size_t)p->n_envs * sizeof(rng));
    ser_get(r, &p->upd_rng, sizeof(rng));
    get_floats(r, p->noise, p->n_envs * p->n_noise);
    for (int i = 0; i < p->n_envs; i++) p->noise_age[i] = (int)ser_get_range(r, 0, 1L << 30);
    if (p->ex == EXPLORE_DEP) {
        ser_get(r, p->dep_st, sizeof(double) * (size_t)p->n_envs * p->dep_n);
        ser_get(r, p->dep_x, sizeof(double) * (size_t)p->n_envs * p->act_dim);
        for (int i = 0; i < p->n_envs; i++) p->dep_left[i] = (int)ser_get_range(r, 0, p->cfg.dep_length);
        for (int i = 0; i < p->n_envs && !r->failed; i++) {
            int ok = dep_state_ok(&p->dm, p->dep_st + (size_t)i * p->dep_n);
            for (int k = 0; k < p->act_dim; k++) ok &= isfinite(p->dep_x[(size_t)i * p->act_dim + k]) != 0;
            if (!ok) return err_set(e, ERR_PARSE, "%s (environment %d's DEP controller holds a "
                                    "non-finite number or a bad counter)", corrupt, i);
        }
    }
    p->seen_episode = (int)ser_get_range(r, 0, 1);
    p->last_eplen = ser_get_f64(r);
    p->unstable = (long)ser_get_range(r, 0, INT64_MAX);
    p->n_comp = 0;
    int n_comp = (int)ser_get_range(r, 0, REWARD_MAX_TERMS);
    for (int k = 0; k < n_comp && !r->failed; k++) {
        ser_get(r, p->comp_name[k], REWARD_NAME_MAX);
        int dup = 0;
        for (int j = 0; j < k; j++) dup |= !strcmp(p->comp_name[j], p->comp_name[k]);
        if (!reward_slot_ok(p->comp_name[k]) || dup)
            return err_set(e, ERR_PARSE, "%s (component %d has a bad or repeated name)", corrupt, k);
        p->comp[k].v = calloc((size_t)p->n_upd_cap, sizeof(double));
        if (!p->comp[k].v) return err_set(e, ERR_NOMEM, "trainer: out of memory");
        p->n_comp = k + 1;
        get_series(r, &p->comp[k], U);
    }
    series *per_update[] = {&p->rtot, &p->eplen, &p->pstd, &p->kl, &p->clipf};
    for (int k = 0; k < 5; k++) get_series(r, per_update[k], U);
    get_series(r, &p->level, p->cfg.curriculum ? U : 0);
    get_series(r, &p->dep_steps, p->ex == EXPLORE_DEP ? U : 0);
    get_series(r, &p->trained, p->ex == EXPLORE_DEP ? U : 0);
    p->stage = (int)ser_get_range(r, 0, p->cfg.curriculum > 0 ? p->cfg.curriculum - 1 : 0);
    int n_ck = (int)ser_get_range(r, 0, U);
    series *per_ck[] = {&p->ck_steps, &p->ck_fit, &p->ck_sd, &p->ck_cases, &p->ck_len, &p->ck_graded};
    for (int k = 0; k < 6; k++) get_series(r, per_ck[k], n_ck);
    p->have_best = (int)ser_get_range(r, 0, 1);
    p->best_fit = ser_get_f64(r);
    get_floats(r, p->best_param, p->actor->n_params);
    get_floats(r, p->best_nm, p->obs_dim);
    get_floats(r, p->best_ns, p->obs_dim);
    p->n_recent = (int)ser_get_range(r, 0, PPO_RECENT);
    for (int k = 0; k < p->n_recent && !r->failed; k++) {
        p->recent_steps[k] = ser_get_f64(r);
        get_floats(r, p->recent_param[k], p->actor->n_params);
        get_floats(r, p->recent_nm[k], p->obs_dim);
        get_floats(r, p->recent_ns[k], p->obs_dim);
    }
    if (r->failed) return err_set(e, ERR_PARSE, "%s (a value is out of range)", corrupt);
    int rc = venv_load(p->v, r, e);
    if (rc) return rc;
    if (r->pos != r->len)
        return err_set(e, ERR_PARSE, "%s (%zu bytes left over)", corrupt, r->len - r->pos);
    return ERR_OK;
}
