// svg.c: inline SVG line charts (see svg.h).
#include "viz/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "viz/html.h"

#define SVG_MARKERS 40

static const char *const palette[10] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

const char *svg_color(int i) { return palette[(i % 10 + 10) % 10]; }

// A short number: 1.2M, 400k, 0.523, -3e-05.
static void fmt_num(char *out, size_t n, double v) {
    double a = fabs(v);
    if (a >= 1e6) snprintf(out, n, "%.3gM", v / 1e6);
    else if (a >= 1e3) snprintf(out, n, "%.3gk", v / 1e3);
    else snprintf(out, n, "%.3g", v);
}

// A tick step of 1, 2 or 5 times a power of ten, about span / 5.
static double nice_step(double span) {
    double raw = span / 5, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

typedef struct frame {
    double x0, x1, y0, y1;      // data range
    double left, top, w, h;     // plot area, pixels
} frame;

static double px(const frame *f, double x) { return f->left + (x - f->x0) / (f->x1 - f->x0) * f->w; }
static double py(const frame *f, double y) { return f->top + f->h - (y - f->y0) / (f->y1 - f->y0) * f->h; }

// Data range over every finite point; 0 when there is none.
static int data_range(const svg_series *s, int ns, int y_from_zero, frame *f) {
    int any = 0;
    for (int i = 0; i < ns; i++)
        for (int k = 0; k < s[i].n; k++) {
            double x = s[i].x[k], y = s[i].y[k];
            if (!isfinite(x) || !isfinite(y)) continue;
            if (!any) { f->x0 = f->x1 = x; f->y0 = f->y1 = y; any = 1; }
            if (x < f->x0) f->x0 = x;
            if (x > f->x1) f->x1 = x;
            if (y < f->y0) f->y0 = y;
            if (y > f->y1) f->y1 = y;
        }
    if (!any) return 0;
    if (y_from_zero) {
        if (f->y0 > 0) f->y0 = 0;
        if (f->y1 < 0) f->y1 = 0;
    }
    if (f->x1 - f->x0 < 1e-12 * (fabs(f->x0) + 1)) { f->x0 -= 0.5; f->x1 += 0.5; }
    if (f->y1 - f->y0 < 1e-12 * (fabs(f->y0) + 1)) { f->y0 -= 0.5; f->y1 += 0.5; }
    double pad = 0.04 * (f->y1 - f->y0);
    if (!(y_from_zero && f->y0 == 0)) f->y0 -= pad;
    f->y1 += pad;
    return 1;
}

static void axes(buf *b, const svg_chart *c, const frame *f) {
    char t[32];
    buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"plot\"/>\n",
               f->left, f->top, f->w, f->h);
    double sy = nice_step(f->y1 - f->y0), sx = nice_step(f->x1 - f->x0);
    for (double v = ceil(f->y0 / sy) * sy; v <= f->y1 + 1e-9 * sy; v += sy) {
        double y = py(f, fabs(v) < 1e-12 * sy ? 0 : v);
        fmt_num(t, sizeof t, fabs(v) < 1e-12 * sy ? 0 : v);
        buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
                   f->left, f->left + f->w, y, y, f->left - 5, y + 4, t);
    }
    for (double v = ceil(f->x0 / sx) * sx; v <= f->x1 + 1e-9 * sx; v += sx) {
        double x = px(f, v);
        fmt_num(t, sizeof t, fabs(v) < 1e-12 * sx ? 0 : v);
        buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%s</text>\n",
                   x, x, f->top, f->top + f->h, x, f->top + f->h + 16, t);
    }
    if (c->x_label) {
        buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"label\" text-anchor=\"middle\">",
                   f->left + f->w / 2, f->top + f->h + 34);
        html_text(b, c->x_label, 0);
        buf_printf(b, "</text>\n");
    }
    if (c->y_label) {
        buf_printf(b, "<text transform=\"translate(14 %.1f) rotate(-90)\" class=\"label\" "
                      "text-anchor=\"middle\">", f->top + f->h / 2);
        html_text(b, c->y_label, 0);
        buf_printf(b, "</text>\n");
    }
    if (c->title) {
        buf_printf(b, "<text x=\"%.1f\" y=\"16\" class=\"title\">", f->left);
        html_text(b, c->title, 0);
        buf_printf(b, "</text>\n");
    }
}

static void series(buf *b, const svg_chart *c, const frame *f, const svg_series *s, int i) {
    int stride = s->n > SVG_MAX_POINTS ? (s->n + SVG_MAX_POINTS - 1) / SVG_MAX_POINTS : 1;
    buf_printf(b, "<g class=\"series\"><polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" "
                  "points=\"", svg_color(i), s->emphasis ? "3" : "1.5");
    for (int k = 0; k < s->n; k++) {
        if (k % stride && k != s->n - 1) continue;
        if (!isfinite(s->x[k]) || !isfinite(s->y[k])) continue;
        buf_printf(b, "%.1f,%.1f ", px(f, s->x[k]), py(f, s->y[k]));
    }
    buf_printf(b, "\"/>\n");
    int every = s->n <= SVG_MARKERS ? 1 : (s->n + SVG_MARKERS - 1) / SVG_MARKERS;
    for (int k = 0; k < s->n; k++) {
        if (k % every && k != s->n - 1) continue;
        if (!isfinite(s->x[k]) || !isfinite(s->y[k])) continue;
        char xs[32];
        fmt_num(xs, sizeof xs, s->x[k]);
        buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>",
                   px(f, s->x[k]), py(f, s->y[k]), s->emphasis ? "4" : "3", svg_color(i));
        html_text(b, s->name, 0);
        html_printf(b, ": %s %.4g at %s %s", c->y_label ? c->y_label : "y", s->y[k],
                    c->x_label ? c->x_label : "x", xs);
        buf_printf(b, "</title></circle>\n");
    }
    buf_printf(b, "</g>\n");
}

int svg_line_chart(buf *b, const svg_chart *c, const svg_series *s, int n_series) {
    int W = c->width > 0 ? c->width : 560, H = c->height > 0 ? c->height : 300;
    int legend_w = c->legend ? 170 : 0;
    frame f = {0};
    f.left = 58;
    f.top = c->title ? 26 : 10;
    f.w = W - legend_w - f.left - 12;
    f.h = H - f.top - 42;
    buf_printf(b, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                  "width=\"%d\" height=\"%d\" role=\"img\">\n", W, H, W, H);
    if (!data_range(s, n_series, c->y_from_zero, &f)) {
        buf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"label\">no data</text></svg>\n", 20, H / 2);
        return b->failed;
    }
    axes(b, c, &f);
    for (int pass = 0; pass < 2; pass++)            // emphasised series last: in front
        for (int i = 0; i < n_series; i++)
            if (!!s[i].emphasis == pass) series(b, c, &f, &s[i], i);
    for (int i = 0; c->legend && i < n_series && i < 24; i++) {
        double x = W - legend_w + 8, y = f.top + 6 + 16 * i;
        buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%s\" fill=\"%s\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" class=\"legend%s\">", x, y, s[i].emphasis ? "5" : "3",
                   svg_color(i), x + 18, y + 5, s[i].emphasis ? " best" : "");
        char name[40];
        snprintf(name, sizeof name, "%s", s[i].name ? s[i].name : "");
        html_text(b, name, 0);
        buf_printf(b, "</text>\n");
    }
    buf_printf(b, "</svg>\n");
    return b->failed;
}
