// film.h: a video of a trained policy: its held-out episodes rendered at the control
// rate and encoded as MP4.
//
// The policy is the best checkpoint's deterministic policy stored in train.json
// ("policy"). Episodes are the task's held-out cases 0, 1, ... run exactly as the
// fitness evaluation runs them (venv_episode), so the video shows what was scored. Each
// frame carries an overlay (episode, step, the task's caption, and the episode's fitness
// at its end); the last frame of an episode is held for half a second.
#ifndef EUREKA_FILM_H
#define EUREKA_FILM_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "util/err.h"
#include "task/task.h"

#define FILM_MAX_EPISODES 100

typedef struct film_opts {
    int width, height;      // frame size (0: 640 x 480)
    int episodes;           // held-out cases 0..episodes-1 (0: 1)
    int max_steps;          // frames of each episode capped at this many steps (0: all)
} film_opts;

typedef struct film_stats {
    int frames;             // frames written (ffprobe counts the same)
    int episodes;
    double fps;             // frame rate: the task's control rate
    double fitness;         // mean fitness of the rendered episodes (whole episodes)
    double render_seconds;  // time spent drawing and reading frames
    double seconds;         // the whole film: physics, policy, drawing, encoding
} film_stats;

// Render the policy of train (a train.json object) on task t into an MP4 at path.
// A policy that does not fit the task, or holds a non-finite number, is ERR_PARSE.
int film_policy(const task_def *t, const cJSON *train, const film_opts *o, const char *path,
                film_stats *st, err_info *e);

// The policy of run dir's rel_dir/train.json (a candidate or evaluation seed) as
// rel_dir/video.mp4; video gets that path.
int film_run_dir(const task_def *t, const char *dir, const char *rel_dir, const film_opts *o,
                 char *video, size_t n, film_stats *st, err_info *e);

// The frames film_policy writes for one episode of `steps` control steps with the cap
// max_steps (0: none) at fps: the first frame, one per step, and the held last frame.
int film_episode_frames(int steps, int max_steps, double fps);

#endif
