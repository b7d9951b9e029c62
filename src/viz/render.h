// render.h: MuJoCo's own renderer in an offscreen OSMesa context: one RGB frame of a
// task's simulation at a time, with lights, a backdrop and a text overlay.
//
// The task models carry no lights, skybox or floor colour: the renderer adds a
// headlight and a key light to the scene and paints a vertical gradient where nothing
// was drawn. The view is the model's camera named "render" when it has one (declared
// in tasks/<name>/model.xml; cameras do not change the simulation), else a free camera
// on the model's centre. The task's decorate hook adds what the model does not show
// (reorient's ghost of the goal orientation); the caller's caption lines are drawn top
// left. Only data (mjData, numbers) comes in: no generated code runs here.
//
// One renderer per process at a time (one OpenGL context, current on the thread that
// made it; every call must come from that thread).
#ifndef EUREKA_RENDER_H
#define EUREKA_RENDER_H

#include <mujoco/mujoco.h>

#include "util/err.h"
#include "task/task.h"

#define RENDER_MAX_SIDE 4096    // width and height cap, pixels

typedef struct render render;

// A renderer of task t's model m (borrowed; must outlive the renderer) at width x height
// (even numbers, 16..RENDER_MAX_SIDE, as H.264 in yuv420p needs).
render *render_new(const task_def *t, const mjModel *m, int width, int height, err_info *e);
void render_free(render *r);

// Draw d (inst: the task's per-episode data, for its decorate hook; may be NULL) with
// caption ("label\tvalue\n" lines; may be NULL) into rgb: width*height*3 bytes, rows
// bottom-up as OpenGL reads them.
int render_frame(render *r, const mjData *d, const void *inst, const char *caption,
                 unsigned char *rgb, err_info *e);

#endif
