// test_render.c: the offscreen renderer (OSMesa), the ffmpeg pipe, and the film's frame
// count, on the real reorient model.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "rl/venv.h"
#include "util/fs.h"
#include "viz/film.h"
#include "viz/render.h"
#include "viz/video.h"

#define W 160
#define H 120

static const unsigned char *px(const unsigned char *rgb, int x, int y_from_top) {
    return rgb + ((size_t)(H - 1 - y_from_top) * W + (size_t)x) * 3;
}

// Pixels where green clearly dominates (reorient's goal ghost is green).
static int greenish(const unsigned char *rgb) {
    int n = 0;
    for (int i = 0; i < W * H; i++) {
        const unsigned char *p = rgb + 3 * i;
        if (p[1] > p[0] + 40 && p[1] > p[2] + 10) n++;
    }
    return n;
}

static void test_render_frames(void) {
    err_info e = {0};
    const task_def *t = task_find("reorient");
    venv *v = venv_new(t, 1, 1, NULL, &e);
    CHECK(v != NULL);
    if (!v) return;
    const mjModel *m = venv_model(v);
    CHECK(render_new(t, m, W + 1, H, &e) == NULL && e.code == ERR_USAGE);
    render *r = render_new(t, m, W, H, &e);
    CHECK_MSG(r != NULL, "%s", e.msg);
    mjData *d = mj_makeData(m);
    void *inst = calloc(1, t->inst_size);
    rng g;
    rng_seed(&g, 1, 0);
    task_reset(t, m, d, inst, &g, 0);
    unsigned char *plain = malloc(W * H * 3), *ghost = malloc(W * H * 3);
    if (r && d && inst && plain && ghost) {
        CHECK(render_frame(r, d, NULL, NULL, plain, &e) == ERR_OK);
        CHECK(render_frame(r, d, inst, "step\t1\n", ghost, &e) == ERR_OK);
        // The backdrop fills the empty bottom-left corner with the light end of its gradient.
        const unsigned char *c = px(plain, 0, H - 1);
        CHECK_MSG(c[0] > 200 && c[1] > 200 && c[2] > 200, "corner %d %d %d", c[0], c[1], c[2]);
        // The caption panel is dark, top left; without a caption that spot is backdrop.
        const unsigned char *p = px(ghost, 1, 1), *q = px(plain, 1, 1);
        CHECK_MSG(p[0] < 60 && p[1] < 60 && p[2] < 70, "panel %d %d %d", p[0], p[1], p[2]);
        CHECK(q[0] > 90);
        // decorate drew the translucent goal cube.
        CHECK_MSG(greenish(ghost) > greenish(plain) + 50, "green %d vs %d", greenish(ghost), greenish(plain));
        // Another state, another picture.
        unsigned char *moved = malloc(W * H * 3);
        d->qpos[0] = 0.7; d->qpos[1] = 0.7; d->qpos[2] = 0; d->qpos[3] = 0;
        mj_forward(m, d);
        CHECK(moved && render_frame(r, d, NULL, NULL, moved, &e) == ERR_OK);
        CHECK(moved && memcmp(moved, plain, W * H * 3) != 0);
        free(moved);
    }
    free(plain);
    free(ghost);
    free(inst);
    mj_deleteData(d);
    render_free(r);
    render_free(NULL);
    venv_free(v);
}

static void test_video(void) {
    char dir[] = "/tmp/eureka_video_XXXXXX", path[256], bad[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/v.mp4", dir);
    snprintf(bad, sizeof bad, "%s/missing/v.mp4", dir);
    err_info e = {0};
    CHECK(video_open(path, 31, 30, 25, &e) == NULL && e.code == ERR_USAGE);
    unsigned char frame[32 * 24 * 3];
    video *v = video_open(path, 32, 24, 25, &e);
    CHECK_MSG(v != NULL, "%s", e.msg);
    for (int k = 0; v && k < 5; k++) {
        memset(frame, 40 * k, sizeof frame);
        CHECK(video_frame(v, frame, &e) == ERR_OK);
    }
    CHECK(video_close(v, &e) == ERR_OK);
    CHECK(fs_exists(path));
    char part[300];
    snprintf(part, sizeof part, "%s.part", path);
    CHECK(!fs_exists(part));
    // ffmpeg cannot write into a missing directory: an error naming the file, nothing left.
    v = video_open(bad, 32, 24, 25, &e);
    CHECK(v != NULL);
    if (v) video_frame(v, frame, &e);
    e.code = ERR_OK;
    CHECK(v && video_close(v, &e) != ERR_OK);
    CHECK_STR_CONTAINS(e.msg, "ffmpeg failed writing");
    CHECK(!fs_exists(bad));
    video_abort(NULL);
    unlink(path);
    rmdir(dir);
}

static void test_frame_count(void) {
    CHECK(film_episode_frames(75, 0, 25) == 75 + 1 + 13);
    CHECK(film_episode_frames(75, 40, 25) == 40 + 1 + 13);
    CHECK(film_episode_frames(12, 40, 50) == 12 + 1 + 25);
}

int main(void) {
    TEST_RUN(test_render_frames);
    TEST_RUN(test_video);
    TEST_RUN(test_frame_count);
    TEST_END();
}
