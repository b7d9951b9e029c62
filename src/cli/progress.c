// progress.c: the progress line (see progress.h).
#include "cli/progress.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/sanitize.h"
#include "util/clock.h"

#define PROGRESS_UNITS 256
#define PROGRESS_REDRAW 0.2     // seconds between redraws of the terminal line

typedef struct unit {
    int id, used;
    long steps, total;
} unit;

struct progress {
    char what[160], noun[32], context[160];
    int tty;
    int planned, done;
    double planned_steps, each;     // all budgets; the last plan's budget per unit
    double done_budget, done_actual;
    unit run[PROGRESS_UNITS];
    double t_first, last_draw;
    int drawn;
    double best;
    int have_best;
};

progress *progress_new(const char *what, const char *noun, int quiet) {
    if (quiet) return NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    san_str(p->what, sizeof p->what, what, 0);
    snprintf(p->noun, sizeof p->noun, "%s", noun ? noun : "");
    p->tty = isatty(STDERR_FILENO);
    return p;
}

static void clear_line(progress *p) {
    if (p->tty && p->drawn) fprintf(stderr, "\r\033[K");
    p->drawn = 0;
}

void progress_clear(progress *p) {
    if (!p) return;
    clear_line(p);
    fflush(stderr);
}

void progress_free(progress *p) {
    if (!p) return;
    clear_line(p);
    fflush(stderr);
    free(p);
}

void progress_duration(char *buf, int n, double s) {
    if (!(s >= 0) || s > 1e8) { snprintf(buf, (size_t)n, "?"); return; }
    long t = lround(s);
    if (t < 60) snprintf(buf, (size_t)n, "%lds", t);
    else if (t < 3600) snprintf(buf, (size_t)n, "%ldm%02lds", t / 60, t % 60);
    else snprintf(buf, (size_t)n, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
}

// Steps simulated so far, and steps still to simulate.
static void totals(const progress *p, double *actual, double *remaining) {
    double live = 0;
    for (int i = 0; i < PROGRESS_UNITS; i++)
        if (p->run[i].used) live += (double)p->run[i].steps;
    *actual = p->done_actual + live;
    *remaining = p->planned_steps - p->done_budget - live;
    if (*remaining < 0) *remaining = 0;
}

// "what: context | trainings 2/5 | best 0.52 | 35k steps/s | ETA 4m10s"
static void format_line(const progress *p, char *line, size_t n) {
    size_t k = (size_t)snprintf(line, n, "%s:", p->what);
    if (p->context[0] && k < n) k += (size_t)snprintf(line + k, n - k, " %s", p->context);
    if (p->noun[0] && p->planned && k < n)
        k += (size_t)snprintf(line + k, n - k, "%s%s %d/%d", p->context[0] ? " | " : " ", p->noun,
                              p->done, p->planned);
    if (p->have_best && k < n) k += (size_t)snprintf(line + k, n - k, " | best %.3f", p->best);
    double actual, remaining, el = p->t_first > 0 ? now_s() - p->t_first : 0;
    totals(p, &actual, &remaining);
    if (el > 0.5 && actual > 0 && k < n) {
        double rate = actual / el;
        char eta[16];
        progress_duration(eta, sizeof eta, remaining / rate);
        if (rate >= 1e4) k += (size_t)snprintf(line + k, n - k, " | %.0fk steps/s", rate / 1e3);
        else k += (size_t)snprintf(line + k, n - k, " | %.0f steps/s", rate);
        if (k < n) snprintf(line + k, n - k, " | ETA %s", eta);
    }
}

static void draw(progress *p, int force) {
    if (!p->tty) return;
    double t = now_s();
    if (!force && t - p->last_draw < PROGRESS_REDRAW) return;
    char line[400];
    format_line(p, line, sizeof line);
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    p->drawn = 1;
    p->last_draw = t;
}

void progress_plan(progress *p, int n, long steps_each) {
    if (!p || n <= 0) return;
    p->planned += n;
    p->each = (double)steps_each;
    p->planned_steps += (double)n * (double)steps_each;
}

void progress_context(progress *p, const char *fmt, ...) {
    if (!p) return;
    char tmp[sizeof p->context];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    san_str(p->context, sizeof p->context, tmp, 0);
    draw(p, 1);
}

static unit *find(progress *p, int id, int make) {
    unit *free_slot = NULL;
    for (int i = 0; i < PROGRESS_UNITS; i++) {
        if (p->run[i].used && p->run[i].id == id) return &p->run[i];
        if (!p->run[i].used && !free_slot) free_slot = &p->run[i];
    }
    if (!make || !free_slot) return NULL;
    memset(free_slot, 0, sizeof *free_slot);
    free_slot->used = 1;
    free_slot->id = id;
    return free_slot;
}

void progress_steps(progress *p, int id, long steps, long total) {
    if (!p) return;
    if (p->t_first == 0) p->t_first = now_s();
    unit *u = find(p, id, 1);
    if (u) {
        u->steps = steps > 0 ? steps : 0;
        u->total = total > 0 ? total : 0;
    }
    draw(p, 0);
}

void progress_done(progress *p, int id, const char *result) {
    if (!p) return;
    unit *u = find(p, id, 0);
    p->done_budget += u && u->total ? (double)u->total : p->each;
    p->done_actual += u ? (double)u->steps : 0;
    if (u) u->used = 0;
    p->done++;
    if (p->tty) {
        draw(p, 1);
        return;
    }
    char line[400], res[200];
    format_line(p, line, sizeof line);
    san_str(res, sizeof res, result, 0);
    fprintf(stderr, "%s | done: %s\n", line, res);
    fflush(stderr);
}

void progress_best(progress *p, double best) {
    if (!p) return;
    p->best = best;
    p->have_best = 1;
    draw(p, 1);
}

void progress_note(progress *p, const char *fmt, ...) {
    if (!p) return;
    char tmp[600], line[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    clear_line(p);
    fprintf(stderr, "%s\n", san_str(line, sizeof line, tmp, 0));
    draw(p, 1);
}
