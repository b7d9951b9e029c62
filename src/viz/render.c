// render.c: offscreen MuJoCo rendering through OSMesa (see render.h).
//
// MuJoCo 2.2 loads its OpenGL functions at run time from whatever context is current,
// so an OSMesa context made current on a plain memory buffer is all it needs; the frame
// itself goes to MuJoCo's offscreen framebuffer (mjFB_OFFSCREEN, multisampled) and is
// read back with mjr_readPixels. Software rendering: the cost is per pixel, which is why
// the backdrop is painted on the CPU from the depth buffer rather than drawn in GL.
#include "viz/render.h"

#include <GL/osmesa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RENDER_MAX_GEOM 2000
#define RENDER_CAPTION_LINES 12

struct render {
    const task_def *t;
    mjModel *m;             // a copy: its visual settings are ours to change
    int w, h;
    OSMesaContext gl;
    unsigned char *glbuf;   // OSMesa's default framebuffer (MuJoCo draws offscreen)
    float *depth;
    mjvScene scn;
    mjvCamera cam;
    mjvOption opt;
    mjrContext con;
    int scene_made, context_made;
};

// Light the scene: a soft headlight (from the camera) and a white key light from above
// and in front, so faces at different angles get different shades.
static void set_headlight(mjModel *m) {
    for (int k = 0; k < 3; k++) {
        m->vis.headlight.ambient[k] = 0.25f;
        m->vis.headlight.diffuse[k] = 0.45f;
        m->vis.headlight.specular[k] = 0.1f;
    }
    m->vis.headlight.active = 1;
}

static void add_key_light(render *r) {
    mjvScene *s = &r->scn;
    if (s->nlight >= mjMAXLIGHT) return;
    mjvLight *l = &s->lights[s->nlight++];
    memset(l, 0, sizeof *l);
    const double *c = r->m->stat.center;
    double ext = r->m->stat.extent;
    float dir[3] = {-0.3f, 0.4f, -1.0f};
    for (int k = 0; k < 3; k++) {
        l->dir[k] = dir[k];
        l->pos[k] = (float)(c[k] - 2.0 * ext * dir[k]);
        l->diffuse[k] = 0.55f;
        l->specular[k] = 0.3f;
    }
    l->attenuation[0] = 1.0f;
    l->cutoff = 180.0f;
    l->directional = 1;
    l->castshadow = 0;
}

// The model's "render" camera, else a free camera looking at the model's centre.
static void set_camera(render *r) {
    mjv_defaultCamera(&r->cam);
    int id = mj_name2id(r->m, mjOBJ_CAMERA, "render");
    if (id >= 0) {
        r->cam.type = mjCAMERA_FIXED;
        r->cam.fixedcamid = id;
        return;
    }
    mjv_defaultFreeCamera(r->m, &r->cam);
    r->cam.distance = 1.5 * r->m->stat.extent;
    r->cam.elevation = -20;
    r->cam.azimuth = 135;
}

render *render_new(const task_def *t, const mjModel *m, int width, int height, err_info *e) {
    if (width < 16 || height < 16 || width > RENDER_MAX_SIDE || height > RENDER_MAX_SIDE ||
        width % 2 || height % 2) {
        err_set(e, ERR_USAGE, "frame size %dx%d: use even sizes from 16 to %d", width, height,
                RENDER_MAX_SIDE);
        return NULL;
    }
    render *r = calloc(1, sizeof *r);
    if (!r) { err_set(e, ERR_NOMEM, "out of memory for a renderer"); return NULL; }
    r->t = t;
    r->w = width;
    r->h = height;
    r->m = mj_copyModel(NULL, m);
    r->glbuf = malloc((size_t)width * (size_t)height * 4);
    r->depth = malloc((size_t)width * (size_t)height * sizeof(float));
    if (!r->m || !r->glbuf || !r->depth) {
        err_set(e, ERR_NOMEM, "out of memory for a %dx%d renderer", width, height);
        render_free(r);
        return NULL;
    }
    r->gl = OSMesaCreateContextExt(OSMESA_RGBA, 24, 8, 8, NULL);
    if (!r->gl || !OSMesaMakeCurrent(r->gl, r->glbuf, GL_UNSIGNED_BYTE, width, height)) {
        err_set(e, ERR_RUNTIME, "could not make an OSMesa OpenGL context (is Debian's "
                "libosmesa6 installed? scripts/setup.sh installs it)");
        render_free(r);
        return NULL;
    }
    r->m->vis.global.offwidth = width;
    r->m->vis.global.offheight = height;
    // Software rendering pays per sample: 2x multisampling smooths edges at half the
    // speed of none; shadows would halve it again (README: render speed).
    r->m->vis.quality.offsamples = 2;
    set_headlight(r->m);
    mjv_defaultOption(&r->opt);
    mjv_defaultScene(&r->scn);
    mjv_makeScene(r->m, &r->scn, RENDER_MAX_GEOM);
    r->scene_made = 1;
    mjr_defaultContext(&r->con);
    int font = height >= 960 ? mjFONTSCALE_200 : height >= 640 ? mjFONTSCALE_150 : mjFONTSCALE_100;
    mjr_makeContext(r->m, &r->con, font);
    r->context_made = 1;
    mjr_setBuffer(mjFB_OFFSCREEN, &r->con);
    if (r->con.currentBuffer != mjFB_OFFSCREEN || r->con.offWidth < width ||
        r->con.offHeight < height) {
        err_set(e, ERR_RUNTIME, "OpenGL has no %dx%d offscreen buffer for MuJoCo", width, height);
        render_free(r);
        return NULL;
    }
    set_camera(r);
    return r;
}

void render_free(render *r) {
    if (!r) return;
    if (r->context_made) mjr_freeContext(&r->con);
    if (r->scene_made) mjv_freeScene(&r->scn);
    if (r->gl) OSMesaDestroyContext(r->gl);   // Mesa keeps ~500 bytes (tests/lsan.supp)
    if (r->m) mj_deleteModel(r->m);
    free(r->glbuf);
    free(r->depth);
    free(r);
}

// Where nothing was drawn (depth at the far plane) and outside the caption panel, a
// vertical gradient: light grey at the bottom to a blue-grey at the top (row 0 is the
// bottom row).
static void paint_backdrop(const render *r, const mjrRect *keep, unsigned char *rgb) {
    static const float lo[3] = {232, 234, 238}, hi[3] = {120, 142, 172};
    for (int y = 0; y < r->h; y++) {
        float a = (float)y / (float)(r->h - 1);
        unsigned char c[3];
        for (int k = 0; k < 3; k++) c[k] = (unsigned char)(lo[k] + a * (hi[k] - lo[k]));
        const float *dr = r->depth + (size_t)y * (size_t)r->w;
        unsigned char *p = rgb + (size_t)y * (size_t)r->w * 3;
        int in_row = y >= keep->bottom && y < keep->bottom + keep->height;
        for (int x = 0; x < r->w; x++, p += 3)
            if (dr[x] >= 1.0f && !(in_row && x >= keep->left && x < keep->left + keep->width)) {
                p[0] = c[0];
                p[1] = c[1];
                p[2] = c[2];
            }
    }
}

// The caption panel: "label\tvalue" lines in two columns on an opaque dark panel at the
// top left, drawn with MuJoCo's own font after the scene. Its rectangle is kept so the
// backdrop (painted afterwards on the CPU) leaves it alone.
typedef struct caption_layout {
    int n;                                  // lines
    char label[RENDER_CAPTION_LINES][96], value[RENDER_CAPTION_LINES][96];
    mjrRect panel;
} caption_layout;

static int text_width(const mjrContext *con, const char *s) {
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) w += *p < 127 ? con->charWidth[*p] : 0;
    return w;
}

static void layout_caption(const render *r, const char *cap, caption_layout *L) {
    memset(L, 0, sizeof *L);
    while (cap && *cap && L->n < RENDER_CAPTION_LINES) {
        size_t len = strcspn(cap, "\n"), tab = strcspn(cap, "\t");
        if (tab > len) tab = len;
        snprintf(L->label[L->n], sizeof L->label[0], "%.*s", (int)tab, cap);
        if (tab < len) snprintf(L->value[L->n], sizeof L->value[0], "%.*s", (int)(len - tab - 1), cap + tab + 1);
        L->n++;
        cap += len + (cap[len] == '\n');
    }
    int lw = 0, vw = 0, pad = r->con.charHeight / 2;
    for (int i = 0; i < L->n; i++) {
        int a = text_width(&r->con, L->label[i]), b = text_width(&r->con, L->value[i]);
        if (a > lw) lw = a;
        if (b > vw) vw = b;
    }
    int w = lw + vw + 3 * pad, h = L->n * r->con.charHeight + 3 * pad / 2;
    if (w > r->w) w = r->w;
    if (h > r->h) h = r->h;
    L->panel = (mjrRect){0, r->h - h, L->n ? w : 0, L->n ? h : 0};
}

static void draw_caption(const render *r, const caption_layout *L) {
    if (!L->n) return;
    mjrRect p = L->panel;
    mjr_rectangle(p, 0.12f, 0.14f, 0.18f, 1.0f);
    int pad = r->con.charHeight / 2, lw = 0;
    for (int i = 0; i < L->n; i++) {
        int a = text_width(&r->con, L->label[i]);
        if (a > lw) lw = a;
    }
    for (int i = 0; i < L->n; i++) {
        // mjr_text places the baseline at (x, y), relative to the last viewport (the panel).
        float y = (float)(p.height - pad - (i + 1) * r->con.charHeight + r->con.charHeight / 4) / (float)p.height;
        mjr_text(mjFONT_NORMAL, L->label[i], &r->con, (float)pad / (float)p.width, y, 0.75f, 0.8f, 0.85f);
        mjr_text(mjFONT_NORMAL, L->value[i], &r->con, (float)(lw + 2 * pad) / (float)p.width, y, 1, 1, 1);
    }
}

int render_frame(render *r, const mjData *d, const void *inst, const char *caption,
                 unsigned char *rgb, err_info *e) {
    mjrRect vp = {0, 0, r->w, r->h};
    // mjv_updateScene only reads the simulation; its signature is not const.
    mjv_updateScene(r->m, (mjData *)d, &r->opt, NULL, &r->cam, mjCAT_ALL, &r->scn);
    add_key_light(r);
    if (r->t && r->t->decorate && inst) r->t->decorate(r->m, d, inst, &r->scn);
    caption_layout L;
    layout_caption(r, caption, &L);
    mjr_setBuffer(mjFB_OFFSCREEN, &r->con);
    mjr_render(vp, &r->scn, &r->con);
    draw_caption(r, &L);
    mjr_readPixels(rgb, r->depth, vp, &r->con);
    paint_backdrop(r, &L.panel, rgb);
    int gl_err = mjr_getError();
    if (gl_err) return err_set(e, ERR_RUNTIME, "OpenGL error 0x%x while rendering", gl_err);
    return ERR_OK;
}
