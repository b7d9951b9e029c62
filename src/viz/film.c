// film.c: held-out episodes of a trained policy -> MP4 (see film.h).
//
// The simulation runs through venv_episode, the same loop the fitness evaluation uses;
// its watch callback draws each control step with the renderer and hands the frame to
// ffmpeg. Everything runs in this process on data only: a policy is numbers, checked by
// policy_from_json before use (sizes against the task, every number finite).
#include "viz/film.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rl/policy.h"
#include "rl/venv.h"
#include "search/run.h"
#include "util/fs.h"
#include "viz/render.h"
#include "viz/video.h"
#include "util/clock.h"

#define FILM_HOLD_SECONDS 0.5

// The policy and its scratch memory, as venv_episode's policy callback wants them.
typedef struct film_actor {
    policy *p;
    float *scratch;
} film_actor;

static void act(void *ctx, int thread, const float *obs, double *action) {
    film_actor *a = ctx;
    policy_act(a->p, obs, action, a->scratch);
}

// ---- frames --------------------------------------------------------------------------

typedef struct film_run {
    const task_def *t;
    const film_opts *o;
    render *r;
    video *v;
    unsigned char *rgb;
    int episode, hold, drawn_last;
    double fps, render_s;
    int frames, rc;
    err_info *e;
} film_run;

int film_episode_frames(int steps, int max_steps, double fps) {
    int shown = max_steps > 0 && steps > max_steps ? max_steps : steps;
    return shown + 1 + (int)lround(FILM_HOLD_SECONDS * fps);
}

static void write_frame(film_run *f, int copies) {
    for (int k = 0; k < copies && !f->rc; k++) {
        f->rc = video_frame(f->v, f->rgb, f->e);
        if (!f->rc) f->frames++;
    }
}

// venv_watch: draw step `step` of the current episode; hold the last drawn frame.
static void on_step(void *ctx, const mjModel *m, const mjData *d, const void *inst, int step, int end) {
    film_run *f = ctx;
    if (f->rc || f->drawn_last) return;
    int last = end || (f->o->max_steps > 0 && step >= f->o->max_steps);
    char cap[1024], task_cap[640] = "";
    if (f->t->caption) f->t->caption(m, d, inst, task_cap, sizeof task_cap);
    int n = snprintf(cap, sizeof cap, "episode\t%d of %d\nstep\t%d of %d\n%s", f->episode + 1,
                     f->o->episodes, step, f->t->episode_steps, task_cap);
    if (last && end && n > 0 && (size_t)n < sizeof cap)
        snprintf(cap + n, sizeof cap - (size_t)n, "episode fitness\t%.3g\n",
                 f->t->fitness(m, d, inst, step));
    double t0 = now_s();
    f->rc = render_frame(f->r, d, inst, cap, f->rgb, f->e);
    f->render_s += now_s() - t0;
    write_frame(f, last ? 1 + f->hold : 1);
    f->drawn_last = last;
}

int film_policy(const task_def *t, const cJSON *train, const film_opts *in, const char *path,
                film_stats *st, err_info *e) {
    double t_start = now_s();
    film_opts o = *in;
    if (!o.width) o.width = 640;
    if (!o.height) o.height = 480;
    if (!o.episodes) o.episodes = 1;
    if (o.episodes < 1 || o.episodes > FILM_MAX_EPISODES || o.episodes > t->n_eval || o.max_steps < 0)
        return err_set(e, ERR_USAGE, "episodes: use 1..%d for task %s; the step cap must be >= 0",
                       t->n_eval < FILM_MAX_EPISODES ? t->n_eval : FILM_MAX_EPISODES, t->name);
    film_actor pol = {0};
    int rc = policy_from_json(t, train, &pol.p, e);
    if (rc) return rc;
    pol.scratch = calloc((size_t)policy_scratch_size(pol.p), sizeof(float));
    venv *ve = pol.scratch ? venv_new(t, 1, 0, NULL, e) : NULL;
    film_run f = {0};
    f.t = t;
    f.o = &o;
    f.e = e;
    if (!ve) {
        if (!pol.scratch) err_set(e, ERR_NOMEM, "out of memory for a policy");
        policy_free(pol.p);
        free(pol.scratch);
        return e ? e->code : ERR_NOMEM;
    }
    const mjModel *m = venv_model(ve);
    f.fps = 1.0 / (m->opt.timestep * t->frame_skip);
    f.hold = (int)lround(FILM_HOLD_SECONDS * f.fps);
    f.rgb = malloc((size_t)o.width * (size_t)o.height * 3);
    if (!f.rgb) rc = err_set(e, ERR_NOMEM, "out of memory for a %dx%d frame", o.width, o.height);
    if (!rc && !(f.r = render_new(t, m, o.width, o.height, e))) rc = e ? e->code : ERR_RUNTIME;
    if (!rc && !(f.v = video_open(path, o.width, o.height, f.fps, e))) rc = e ? e->code : ERR_IO;
    double fit_sum = 0;
    for (int ep = 0; !rc && ep < o.episodes; ep++) {
        double fit = 0;
        f.episode = ep;
        f.drawn_last = 0;
        rc = venv_episode(ve, ep, act, &pol, on_step, &f, &fit, NULL, e);
        if (!rc) rc = f.rc;
        fit_sum += fit;
    }
    if (!rc) {
        rc = video_close(f.v, e);
    } else {
        video_abort(f.v);
    }
    render_free(f.r);
    venv_free(ve);
    policy_free(pol.p);
    free(pol.scratch);
    free(f.rgb);
    if (!rc && st) {
        st->frames = f.frames;
        st->episodes = o.episodes;
        st->fps = f.fps;
        st->fitness = fit_sum / o.episodes;
        st->render_seconds = f.render_s;
        st->seconds = now_s() - t_start;
    }
    return rc;
}

int film_run_dir(const task_def *t, const char *dir, const char *rel_dir, const film_opts *o,
                 char *video, size_t n, film_stats *st, err_info *e) {
    char rel[RUN_PATH_MAX];
    if (fs_path(rel, sizeof rel, e, "%s/%s", rel_dir, RUN_TRAIN)) return ERR_LIMIT;
    cJSON *train = run_read_json(dir, rel, e);
    if (!train) return e ? e->code : ERR_IO;
    int rc = fs_path(rel, sizeof rel, e, "%s/%s", rel_dir, RUN_VIDEO);
    if (!rc) rc = run_path(video, n, dir, rel, e);
    if (!rc) rc = film_policy(t, train, o, video, st, e);
    cJSON_Delete(train);
    return rc;
}
