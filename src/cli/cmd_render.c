// cmd_render.c: `eureka render`: an MP4 of a trained policy on the task's held-out
// episodes (film.h: MuJoCo's renderer in OSMesa, H.264 through ffmpeg).
//
// The policy comes from a train.json: a file, a directory holding one (a run's
// iterNN/sampleKK or eval/seedNN), a run (its best policy: run_best_policy_rel), or a
// reward file trained first in a sandboxed worker exactly as `eureka train` does.
// Rendering itself runs here, on numbers only: no reward code is loaded in this process.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "judge/judge.h"
#include "search/run.h"
#include "util/fs.h"
#include "viz/film.h"

// Train --reward FILE as `eureka train` does (judge, progress line); the train.json or NULL.
static cJSON *train_reward(const task_def *t, const char *reward, long steps, long seed, int quiet,
                           err_info *e) {
    train_cfg cfg = {0};
    cfg.steps = steps;
    cfg.seed = (uint64_t)seed;
    cfg.threads = judge_cores();
    train_cfg_defaults(&cfg, t);
    judge_verdict v = {0};
    if (cli_train_reward(t, reward, &cfg, quiet, &v, e)) return NULL;
    cJSON *out = NULL;
    char msg[4 * ERR_MSG_MAX];
    if (v.status != SB_OK || !v.result)
        err_set(e, v.status == SB_INTERRUPTED || *cli_catch_stop() ? ERR_INTERRUPTED : ERR_RUNTIME,
                "training failed: %s: %s", sb_status_name(v.status),
                cli_reward_msg(t, reward, v.message, msg, sizeof msg));
    else { out = v.result; v.result = NULL; }
    judge_verdict_free(&v);
    return out;
}

// The default video path for a reward file: its name with .mp4 in the current directory.
static int reward_video(const char *reward, char *buf, size_t n, err_info *e) {
    const char *base = cli_base_name(reward);
    size_t len = strlen(base);
    if (len > 2 && strcmp(base + len - 2, ".c") == 0) len -= 2;
    return fs_path(buf, n, e, "%.*s.mp4", (int)len, base);
}

int cmd_render(int argc, char **argv) {
    const char *task = NULL, *policy = NULL, *reward = NULL, *out = NULL;
    int train = 0, json = 0, quiet = 0, help = 0;
    long steps = 0, seed = 1;
    film_opts o = {0};
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (default: the policy's)", 0, 0},
        {"--policy", CLI_STR, &policy, "RUN, RUN/iterNN/sampleKK, DIR with train.json, or a train.json", 0, 0},
        {"--reward", CLI_STR, &reward, "reward file to train first (with --train)", 0, 0},
        {"--train", CLI_BOOL, &train, "train --reward (sandboxed, as eureka train) and render it", 0, 0},
        {"--steps", CLI_LONG, &steps, "--train budget in control steps (default: the task's)", 1, 1e12},
        {"--seed", CLI_LONG, &seed, "--train seed (default 1)", 0, 9007199254740992},
        {"--episodes", CLI_INT, &o.episodes, "held-out episodes to show (default 1)", 1, FILM_MAX_EPISODES},
        {"--max-steps", CLI_INT, &o.max_steps, "show at most N steps of each episode", 1, 100000000},
        {"--width", CLI_INT, &o.width, "frame width (default 640)", 16, 4096},
        {"--height", CLI_INT, &o.height, "frame height (default 480)", 16, 4096},
        {"--out", CLI_STR, &out, "video file (default: video.mp4 beside the train.json)", 0, 0},
        {"--json", CLI_BOOL, &json, "print what was written as JSON", 0, 0},
        {"--quiet", CLI_BOOL, &quiet, "no progress line while training", 0, 0},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, NULL, &help, &e)) return cli_fail("render", &e);
    if (help) {
        cli_usage("render", "(--policy RUN[/iterNN/sampleKK] | --reward FILE --train) [options]", flags, nf);
        return 0;
    }
    if (!!policy + !!(reward && train) != 1 || (reward && !train) || (train && !reward)) {
        err_set(&e, ERR_USAGE, "give --policy RUN|DIR|train.json, or --reward FILE --train");
        return cli_fail("render", &e);
    }
    const task_def *t = task ? cli_task(task, &e) : NULL;
    if (task && !t) return cli_fail("render", &e);
    if (train && !t) {
        err_set(&e, ERR_USAGE, "--train needs --task");
        return cli_fail("render", &e);
    }
    char dir[RUN_PATH_MAX] = ".", path[RUN_PATH_MAX];
    cJSON *tr = policy ? cli_policy_json(policy, dir, sizeof dir, &e)
                       : train_reward(t, reward, steps, seed, quiet || json, &e);
    if (!tr) return cli_fail("render", &e);
    if (!(t = cli_policy_task(t, tr, &e))) {
        cJSON_Delete(tr);
        return cli_fail("render", &e);
    }
    int rc = out ? fs_path(path, sizeof path, &e, "%s", out)
           : policy ? run_path(path, sizeof path, dir, RUN_VIDEO, &e)
                    : reward_video(reward, path, sizeof path, &e);
    film_stats st = {0};
    if (!rc) rc = film_policy(t, tr, &o, path, &st, &e);
    cJSON_Delete(tr);
    if (rc) return cli_fail("render", &e);
    double fps_all = st.seconds > 0 ? st.frames / st.seconds : 0;
    double fps_draw = st.render_seconds > 0 ? st.frames / st.render_seconds : 0;
    int w = o.width ? o.width : 640, h = o.height ? o.height : 480;
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "video", path);
        cJSON_AddStringToObject(j, "task", t->name);
        cJSON_AddNumberToObject(j, "frames", st.frames);
        cJSON_AddNumberToObject(j, "episodes", st.episodes);
        cJSON_AddNumberToObject(j, "width", w);
        cJSON_AddNumberToObject(j, "height", h);
        cJSON_AddNumberToObject(j, "fps", st.fps);
        cJSON_AddNumberToObject(j, "fitness", st.fitness);
        cJSON_AddNumberToObject(j, "seconds", st.seconds);
        cJSON_AddNumberToObject(j, "render_seconds", st.render_seconds);
        cJSON_AddNumberToObject(j, "frames_per_second", fps_all);
        cJSON_AddNumberToObject(j, "render_frames_per_second", fps_draw);
        cli_json_print(j);
        cJSON_Delete(j);
    } else {
        printf("%s: %d frames, %d episode%s of %s at %dx%d, %.0f fps (the control rate); "
               "episode fitness %.3f\n", path, st.frames, st.episodes, st.episodes == 1 ? "" : "s",
               t->name, w, h, st.fps, st.fitness);
        printf("made at %.1f frames/s (%.1f frames/s drawing alone, software OpenGL)\n", fps_all, fps_draw);
    }
    return 0;
}
