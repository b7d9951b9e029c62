// report.c: the run report (see report.h).
//
// Read with run.h only (the one owner of the run directory layout), written with
// html.h (escaping) and svg.h (charts) into one capped buf, then atomically to
// RUN/report.html. Missing or damaged files leave their part of the page out.
#include "viz/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reward/rcomp.h"
#include "search/rdiff.h"
#include "search/repeats.h"
#include "search/run.h"
#include "util/fs.h"
#include "viz/html.h"
#include "viz/svg.h"

#define REPORT_MAX_SERIES 1000000   // points read from one train.json series
#define REPORT_TEXT_MAX (1u << 20)  // one reflection or reply

static const char *const css =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;"
    "color:#1d2430;background:#fbfbfc}"
    "h1{font-size:22px}h2{font-size:18px;margin-top:34px;border-bottom:1px solid #dde}"
    "h3{font-size:15px;margin-top:22px}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dde;padding:3px 8px;"
    "text-align:left;vertical-align:top}th{background:#eef0f4}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}tr.best td{background:#eaf5e9;font-weight:600}"
    "pre{background:#f3f4f7;border:1px solid #dde;padding:8px;overflow-x:auto;font-size:12.5px}"
    ".hunk{margin:6px 0}.hunk .lab{font:600 12.5px monospace;color:#5a4a00;background:#fff6d6;"
    "padding:2px 8px;border:1px solid #e9dca6;border-bottom:0}.hunk pre{margin:0}"
    ".add{background:#e6f6e6;display:block}.del{background:#fbe9e9;display:block}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px}"
    "svg.chart{background:#fff;border:1px solid #dde}svg .plot{fill:#fff;stroke:#ccd}"
    "svg .grid{stroke:#eceef3}svg .tick{font-size:10px;fill:#667}svg .label{font-size:11px;fill:#445}"
    "svg .title{font-size:12px;font-weight:600;fill:#223}svg .legend{font-size:11px;fill:#334}"
    "svg .legend.best{font-weight:700}svg circle:hover{stroke:#000;stroke-width:2}"
    "video{max-width:100%;border:1px solid #dde;background:#000}.muted{color:#778}"
    ".status-ok{color:#276b2d}.status-bad{color:#a23b2a}";

typedef struct rep {
    const char *dir;
    buf b;
    int n_it;
    cJSON *messages;        // messages.json: what each request sent (NULL if absent)
    repeats *repeats;       // candidates that trained an earlier one's reward (NULL: none marked)
} rep;

static void raw(rep *r, const char *s) { buf_add(&r->b, s, strlen(s)); }

static cJSON *read_json(const rep *r, const char *rel) {
    return run_has(r->dir, rel) ? run_read_json(r->dir, rel, NULL) : NULL;
}

// A sample's status.json as it is (NULL if absent or unreadable: not finished).
static cJSON *sample_status(const rep *r, int it, int sample) {
    char rel[128];
    if (run_sample_rel(rel, sizeof rel, it, sample, RUN_STATUS, NULL)) return NULL;
    return read_json(r, rel);
}

static char *read_text(const rep *r, const char *rel, size_t cap) {
    return run_has(r->dir, rel) ? run_read_text(r->dir, rel, cap, NULL) : NULL;
}

static double num(const cJSON *o, const char *k, double dflt) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) && isfinite(x->valuedouble) ? x->valuedouble : dflt;
}

// An integer field: clamped before the conversion, which is undefined out of int's range
// (a run file may say 1e300).
static int inum(const cJSON *o, const char *k, int dflt) {
    return (int)fmax(-1e9, fmin(1e9, num(o, k, dflt)));
}

static const char *str(const cJSON *o, const char *k) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

// A JSON array of numbers as doubles (non-numbers become NaN: skipped in charts).
static int doubles(const cJSON *a, double **out) {
    *out = NULL;
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    if (n <= 0 || n > REPORT_MAX_SERIES || !(*out = malloc((size_t)n * sizeof **out))) return 0;
    int k = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, a) (*out)[k++] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
    return n;
}

// Training steps at the end of each of n updates of train (steps shared out evenly).
static double *update_steps(const cJSON *train, int n) {
    double total = num(train, "steps", 0), *x = n > 0 ? malloc((size_t)n * sizeof *x) : NULL;
    for (int i = 0; x && i < n; i++) x[i] = total * (i + 1) / n;
    return x;
}

// ---- pieces ------------------------------------------------------------------------

// Text in <pre>, sanitised and escaped.
static void pre(rep *r, const char *text) {
    raw(r, "<pre>");
    html_text(&r->b, text, 1);
    raw(r, "</pre>\n");
}

// The video in directory rel_dir of the run, if one was rendered: embedded when small,
// otherwise linked (the file sits next to report.html).
static void video(rep *r, const char *rel_dir, const char *caption) {
    char rel[RUN_PATH_MAX], path[RUN_PATH_MAX];
    if (fs_path(rel, sizeof rel, NULL, "%s/video.mp4", rel_dir) || !run_has(r->dir, rel) ||
        run_path(path, sizeof path, r->dir, rel, NULL))
        return;
    size_t len = 0;
    // Read below the run like every run file: a link planted as video.mp4 (to a key, say)
    // is not followed into the page.
    char *data = fs_read_in(r->dir, rel, REPORT_EMBED_VIDEO_MAX, &len, NULL);
    raw(r, "<figure><video controls muted preload=\"metadata\" src=\"");
    if (data) html_data_uri(&r->b, "video/mp4", (const unsigned char *)data, len);
    else html_text(&r->b, rel, 0);
    raw(r, "\"></video><figcaption>");
    html_text(&r->b, caption, 0);
    raw(r, " (<a href=\"");
    html_text(&r->b, rel, 0);
    raw(r, "\">");
    html_text(&r->b, rel, 0);
    raw(r, "</a>)</figcaption></figure>\n");
    free(data);
}

// The labelled diff from a to b (rdiff.h), each hunk under its label.
static void diff(rep *r, const char *a, const char *b, const char *na, const char *nb) {
    err_info e = {0};
    rdiff *d = rdiff_new(a, b, 3, &e);
    if (!d) {
        raw(r, "<p class=\"muted\">no diff: ");
        html_text(&r->b, e.msg, 0);
        raw(r, "</p>\n");
        return;
    }
    raw(r, "<p class=\"muted\">");
    html_text(&r->b, na, 0);
    raw(r, " &rarr; ");
    html_text(&r->b, nb, 0);
    html_printf(&r->b, ": %d hunk%s", d->n, d->n == 1 ? "" : "s");
    raw(r, d->n ? "</p>\n" : " (the same program)</p>\n");
    for (int i = 0; i < d->n; i++) {
        const rdiff_hunk *h = &d->hunks[i];
        char label[640];
        raw(r, "<div class=\"hunk\"><div class=\"lab\">");
        html_printf(&r->b, "@@ -%d,%d +%d,%d @@ %s", h->a_start, h->a_len, h->b_start, h->b_len,
                    rdiff_label(h, label, sizeof label));
        raw(r, "</div><pre>");
        for (const char *p = h->body; p && *p;) {
            size_t n = strcspn(p, "\n");
            raw(r, *p == '+' ? "<span class=\"add\">" : *p == '-' ? "<span class=\"del\">" : "<span>");
            char *line = strndup(p, n);
            html_text(&r->b, line ? line : "", 1);
            free(line);
            raw(r, "</span>");
            if (*p != '+' && *p != '-') raw(r, "\n");
            p += n + (p[n] == '\n');
        }
        raw(r, "</pre></div>\n");
    }
    rdiff_free(d);
}

// One small chart per per-update series of a train.json: reward total, each component,
// episode length; plus the checkpoint fitness.
static void training_charts(rep *r, const cJSON *train, const char *who) {
    double *x = NULL, *y = NULL;
    int n = doubles(cJSON_GetObjectItemCaseSensitive(train, "reward_total"), &y);
    x = update_steps(train, n);
    raw(r, "<div class=\"charts\">\n");
    char title[160];
    svg_chart c = {NULL, "steps", NULL, 370, 230, 0, 0};
    if (n && x) {
        snprintf(title, sizeof title, "%s: total reward (batch mean per step)", who);
        c.title = title;
        c.y_label = "reward";
        svg_series s = {"total reward", x, y, n, 0};
        svg_line_chart(&r->b, &c, &s, 1);
    }
    free(y);
    const cJSON *comp;
    cJSON_ArrayForEach(comp, cJSON_GetObjectItemCaseSensitive(train, "components")) {
        int m = doubles(comp, &y);
        if (m && x && m <= n) {
            snprintf(title, sizeof title, "component %.60s", comp->string ? comp->string : "?");
            c.title = title;
            c.y_label = "value";
            svg_series s = {comp->string ? comp->string : "?", x, y, m, 0};
            svg_line_chart(&r->b, &c, &s, 1);
        }
        free(y);
    }
    int m = doubles(cJSON_GetObjectItemCaseSensitive(train, "episode_length"), &y);
    if (m && x && m <= n) {
        c.title = "episode length";
        c.y_label = "steps";
        svg_series s = {"episode length", x, y, m, 0};
        svg_line_chart(&r->b, &c, &s, 1);
    }
    free(y);
    free(x);
    raw(r, "</div>\n");
}

// Checkpoint fitness of a train.json as a series (x and y owned by the caller).
static int fitness_series(const cJSON *train, double **x, double **y) {
    const cJSON *ck = cJSON_GetObjectItemCaseSensitive(train, "checkpoints");
    int n = doubles(cJSON_GetObjectItemCaseSensitive(ck, "steps"), x);
    int m = doubles(cJSON_GetObjectItemCaseSensitive(ck, "fitness"), y);
    if (n != m || !n) { free(*x); free(*y); *x = *y = NULL; return 0; }
    return n;
}

// ---- sections ----------------------------------------------------------------------

static void summary(rep *r, const cJSON *run, const cJSON *sum) {
    const cJSON *llm = cJSON_GetObjectItemCaseSensitive(run, "llm");
    raw(r, "<table>\n<tr><th>run</th><td>");
    html_text(&r->b, r->dir, 0);
    raw(r, "</td></tr>\n<tr><th>task</th><td>");
    html_text(&r->b, str(run, "task"), 0);
    raw(r, "</td></tr>\n<tr><th>LLM</th><td>");
    html_text(&r->b, str(llm, "resolved_backend"), 0);
    raw(r, " (");
    html_text(&r->b, str(llm, "resolved_model"), 0);
    raw(r, ")</td></tr>\n<tr><th>search</th><td>");
    html_printf(&r->b, "%d iterations x %d samples, %.0f steps per candidate, seed %.0f",
                inum(run, "iterations", 0), inum(run, "samples", 0),
                num(run, "train_steps", 0), num(run, "seed", 0));
    raw(r, "</td></tr>\n");
    long pt = 0, ct = 0;
    if (sum) {
        pt = (long)fmin(num(sum, "prompt_tokens", 0), 1e15);
        ct = (long)fmin(num(sum, "completion_tokens", 0), 1e15);
    } else {
        run_count_tokens(r->dir, r->n_it, &pt, &ct);
    }
    raw(r, "<tr><th>tokens</th><td>");
    html_printf(&r->b, "%ld prompt + %ld completion%s", pt, ct, sum ? "" : " (counted from the saved replies)");
    raw(r, "</td></tr>\n");
    if (sum) {
        raw(r, "<tr><th>best</th><td>");
        if (str(sum, "best"))
            html_printf(&r->b, "iter%02d/sample%02d, judged fitness %.3f during the search",
                        inum(sum, "best_iteration", 0), inum(sum, "best_sample", 0),
                        num(sum, "best_fitness_robust", num(sum, "best_fitness", 0)));
        else
            raw(r, "none: every candidate failed");
        raw(r, "</td></tr>\n");
        if (num(sum, "eval_seeds", 0) > 0) {
            raw(r, "<tr><th>final evaluation</th><td>");
            int n = inum(sum, "eval_seeds", 0);
            html_printf(&r->b, "fitness %.3f \u00b1 %.3f over %d seed%s of %.0f steps",
                        num(sum, "eval_mean", 0), num(sum, "eval_std", 0), n, n == 1 ? "" : "s",
                        num(sum, "eval_steps", 0));
            raw(r, "</td></tr>\n");
        }
        raw(r, "<tr><th>time</th><td>");
        html_printf(&r->b, "%.0f s, %d candidates, %d failed", num(sum, "seconds", 0),
                    inum(sum, "candidates", 0), inum(sum, "failures", 0));
        raw(r, "</td></tr>\n");
    } else {
        raw(r, "<tr><th>state</th><td>unfinished: no summary.json yet</td></tr>\n");
    }
    raw(r, "</table>\n");
}

typedef struct iter_info {
    int samples, trained, failed, best;     // best: sample index or -1
    double best_fitness;
} iter_info;

static void iteration_info(rep *r, int it, iter_info *ii) {
    memset(ii, 0, sizeof *ii);
    ii->samples = run_count_samples(r->dir, it);
    ii->best = run_iteration_best(r->dir, it);
    for (int s = 0; s < ii->samples; s++) {
        cJSON *st = sample_status(r, it, s);
        const char *status = str(st, "status");
        if (status && strcmp(status, "ok") == 0) ii->trained++;
        else if (status) ii->failed++;
        // The search picks and keeps its best on the judged (robust) fitness.
        if (s == ii->best) ii->best_fitness = num(st, "fitness_robust", num(st, "fitness", 0));
        cJSON_Delete(st);
    }
}

static void iteration_table(rep *r, const iter_info *ii) {
    raw(r, "<table>\n<tr><th>iteration</th><th>candidates</th><th>trained</th><th>failed</th>"
           "<th>best</th><th>judged fitness</th><th>best so far</th></tr>\n");
    double so_far = -INFINITY;
    for (int it = 1; it <= r->n_it; it++) {
        const iter_info *x = &ii[it];
        int improved = x->best >= 0 && x->best_fitness > so_far;
        if (improved) so_far = x->best_fitness;
        buf_printf(&r->b, "%s<td>%d</td>", improved ? "<tr class=\"best\">" : "<tr>", it);
        buf_printf(&r->b, "<td class=\"num\">%d</td><td class=\"num\">%d</td><td class=\"num\">%d</td>",
                   x->samples, x->trained, x->failed);
        if (x->best >= 0)
            buf_printf(&r->b, "<td><a href=\"#iter%02d\">sample %02d</a></td><td class=\"num\">%.3f</td>",
                       it, x->best, x->best_fitness);
        else
            raw(r, "<td>-</td><td>-</td>");
        if (isfinite(so_far)) buf_printf(&r->b, "<td class=\"num\">%.3f</td></tr>\n", so_far);
        else raw(r, "<td>-</td></tr>\n");
    }
    raw(r, "</table>\n");
}

// A candidate's reward text for the caller to free: the repeats scan's copy, read from
// disk only when the scan kept none (a run past its size cap).
static char *candidate_code(const rep *r, int it, int s) {
    const char *kept = repeats_code(r->repeats, it, s);
    if (kept) return strdup(kept);
    char rel[128];
    run_sample_rel(rel, sizeof rel, it, s, "reward.c", NULL);
    return read_text(r, rel, RCOMP_MAX_SOURCE);
}

// The feedback the first request of iteration it carried (its last message), from
// messages.json; NULL when there is none (iteration 1, or the run ended before it).
static const char *sent_feedback(const rep *r, int it) {
    const cJSON *x;
    cJSON_ArrayForEach(x, r->messages) {
        if (num(x, "iteration", -1) != it || num(x, "attempt", -1) != 0) continue;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(x, "messages");
        int n = cJSON_GetArraySize(m);
        return n == 4 ? str(cJSON_GetArrayItem(m, 3), "content") : NULL;
    }
    return NULL;
}

static void iteration_section(rep *r, int it, const iter_info *ii, int prev_it, int prev_s) {
    buf_printf(&r->b, "<h2 id=\"iter%02d\">Iteration %d</h2>\n", it, it);
    // Fitness against steps for every candidate that trained, on one chart.
    svg_series ser[100];
    double *xs[100], *ys[100];
    char names[100][48];
    int ns = 0;
    for (int s = 0; s < ii->samples && ns < 100; s++) {
        char rel[128];
        run_sample_rel(rel, sizeof rel, it, s, "train.json", NULL);
        cJSON *tr = read_json(r, rel);
        int n = tr ? fitness_series(tr, &xs[ns], &ys[ns]) : 0;
        if (n) {
            snprintf(names[ns], sizeof names[ns], "sample %02d (%.3f)", s, num(tr, "fitness", 0));
            ser[ns] = (svg_series){names[ns], xs[ns], ys[ns], n, s == ii->best};
            ns++;
        }
        cJSON_Delete(tr);
    }
    if (ns) {
        char title[96];
        snprintf(title, sizeof title, "iteration %d: fitness of every candidate during training", it);
        svg_chart c = {title, "steps", "fitness", 760, 330, 1, 1};
        svg_line_chart(&r->b, &c, ser, ns);
    }
    for (int i = 0; i < ns; i++) { free(xs[i]); free(ys[i]); }
    raw(r, "<table>\n<tr><th>sample</th><th>status</th><th>rung</th><th>steps</th><th>fitness</th>"
           "<th>judged</th><th>interval</th><th>seconds</th><th>message</th></tr>\n");
    for (int s = 0; s < ii->samples; s++) {
        cJSON *st = sample_status(r, it, s);
        const char *status = str(st, "status");
        int ok = status && strcmp(status, "ok") == 0;
        buf_printf(&r->b, "<tr%s><td>%02d</td><td class=\"%s\">", s == ii->best ? " class=\"best\"" : "", s,
                   ok ? "status-ok" : "status-bad");
        html_text(&r->b, status ? status : "not finished", 0);
        raw(r, "</td><td class=\"num\">");
        // How far the judge's tournament took it, EUREKA's fitness and the judged one.
        if (ok && num(st, "rung", 0) > 0) html_printf(&r->b, "%.0f", num(st, "rung", 0));
        raw(r, "</td><td class=\"num\">");
        if (ok && num(st, "steps", 0) > 0) html_printf(&r->b, "%.0f", num(st, "steps", 0));
        raw(r, "</td><td class=\"num\">");
        if (ok) html_printf(&r->b, "%.3f", num(st, "fitness", 0));
        raw(r, "</td><td class=\"num\">");
        if (ok && isfinite(num(st, "fitness_robust", NAN))) html_printf(&r->b, "%.3f", num(st, "fitness_robust", 0));
        raw(r, "</td><td class=\"num\">");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(st, "fitness_ci");
        if (ok && cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
            cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)))
            html_printf(&r->b, "[%.3f, %.3f]", cJSON_GetArrayItem(ci, 0)->valuedouble,
                        cJSON_GetArrayItem(ci, 1)->valuedouble);
        raw(r, "</td><td class=\"num\">");
        if (st) html_printf(&r->b, "%.1f", num(st, "seconds", 0));
        raw(r, "</td><td>");
        char msg[400], same[32];
        const char *m = str(st, "message") ? str(st, "message") : "";
        if (repeats_of(r->repeats, it, s, same, sizeof same))
            snprintf(msg, sizeof msg, "same code as %s%s%s", same, *m ? "; " : "", m);
        else
            snprintf(msg, sizeof msg, "%s", m);
        html_text(&r->b, msg, 0);
        raw(r, "</td></tr>\n");
        cJSON_Delete(st);
    }
    raw(r, "</table>\n");
    if (ii->best < 0) return;
    char rel[128], who[200];
    run_sample_rel(rel, sizeof rel, it, ii->best, NULL, NULL);
    snprintf(who, sizeof who, "best of iteration %d: %s", it, rel);
    video(r, rel, who);
    char *code = candidate_code(r, it, ii->best);
    if (prev_s >= 0) {
        char *prev = candidate_code(r, prev_it, prev_s);
        char na[64], nb[64];
        snprintf(na, sizeof na, "iter%02d/sample%02d", prev_it, prev_s);
        snprintf(nb, sizeof nb, "iter%02d/sample%02d", it, ii->best);
        buf_printf(&r->b, "<h3>What changed: best of iteration %d &rarr; best of iteration %d</h3>\n",
                   prev_it, it);
        if (prev && code) diff(r, prev, code, na, nb);
        free(prev);
    }
    buf_printf(&r->b, "<details><summary>reward of %s</summary>\n", rel);
    pre(r, code ? code : "(reward.c is missing)");
    raw(r, "</details>\n");
    free(code);
    run_sample_rel(rel, sizeof rel, it, ii->best, "feedback.txt", NULL);
    char *fb = read_text(r, rel, REPORT_TEXT_MAX);
    const char *sent = sent_feedback(r, it + 1);
    if (sent) {
        // What the next request carried: this iteration's reflection, or (the elitist
        // context, when this iteration did not beat the best so far) that best's
        // reflection and what this iteration tried.
        char rrel[64];
        run_reflection_rel(rrel, sizeof rrel, it, NULL);
        char *own = read_text(r, rrel, REPORT_TEXT_MAX);
        buf_printf(&r->b, "<details><summary>reflection sent to the LLM for iteration %d (messages.json)%s"
                          "</summary>\n", it + 1, own && strcmp(own, sent) == 0 ? "" :
                   ": the elitist context (this iteration did not beat the best so far)");
        free(own);
        pre(r, sent);
        raw(r, "</details>\n");
    } else if (fb) {
        raw(r, "<details><summary>its feedback, for an iteration after it (");
        html_text(&r->b, rel, 0);
        raw(r, ")</summary>\n");
        pre(r, fb);
        raw(r, "</details>\n");
    }
    free(fb);
}

// The re-check of best.json: each finalist's judged fitness, again on a fresh seed, the
// mean the pick rests on.
static void finalists_table(rep *r, const cJSON *fin) {
    if (cJSON_GetArraySize(fin) < 1) return;
    raw(r, "<p>Picked by the re-check: the best iteration winners trained again on a fresh seed, "
           "the highest mean of the two judged values.</p>\n<table>\n<tr><th>candidate</th>"
           "<th>judged</th><th>again</th><th>mean</th></tr>\n");
    const cJSON *x;
    cJSON_ArrayForEach(x, fin) {
        html_printf(&r->b, "<tr><td>iter%02d/sample%02d</td><td class=\"num\">%.3f</td><td class=\"num\">%.3f</td>"
                           "<td class=\"num\">%.3f</td></tr>\n", inum(x, "iteration", 0), inum(x, "sample", 0),
                    num(x, "judged", 0), num(x, "again", 0), num(x, "mean", 0));
    }
    raw(r, "</table>\n");
}

// The overall best (best.json): its code, its diff to the best before it, its curves.
static void best_section(rep *r, const iter_info *ii) {
    cJSON *bj = read_json(r, "best.json");
    int bi = inum(bj, "iteration", -1), bs = inum(bj, "sample", -1);
    if (bi < 0 || bi > r->n_it || bs < 0) { cJSON_Delete(bj); return; }
    raw(r, "<h2 id=\"best\">Best reward</h2>\n<p>");
    html_printf(&r->b, "iter%02d/sample%02d (best.c), judged fitness %.3f during the search", bi, bs,
                bi <= r->n_it ? ii[bi].best_fitness : 0.0);
    raw(r, "</p>\n");
    finalists_table(r, cJSON_GetObjectItemCaseSensitive(bj, "finalists"));
    cJSON_Delete(bj);
    // The best before it: the last iteration best that raised the best so far.
    int pi = -1, ps = -1;
    double so_far = -INFINITY;
    for (int it = 1; it < bi; it++)
        if (ii[it].best >= 0 && ii[it].best_fitness > so_far) {
            so_far = ii[it].best_fitness;
            pi = it;
            ps = ii[it].best;
        }
    char *code = read_text(r, "best.c", RCOMP_MAX_SOURCE);
    pre(r, code ? code : "(best.c is missing)");
    if (pi > 0) {
        char *prev = candidate_code(r, pi, ps);
        char na[64];
        snprintf(na, sizeof na, "iter%02d/sample%02d", pi, ps);
        raw(r, "<h3>Its diff to the previous best</h3>\n");
        if (prev && code) diff(r, prev, code, na, "best.c");
        free(prev);
    } else {
        raw(r, "<p class=\"muted\">the first trained candidate: no earlier best to compare with</p>\n");
    }
    free(code);
    char rel[128];
    run_sample_rel(rel, sizeof rel, bi, bs, "train.json", NULL);
    cJSON *tr = read_json(r, rel);
    if (tr) {
        raw(r, "<h3>Its training: reward components per update</h3>\n");
        training_charts(r, tr, "best");
    }
    cJSON_Delete(tr);
}

static void eval_section(rep *r) {
    char rel[128];
    int n = 0;
    while (n < 99 && (run_eval_rel(rel, sizeof rel, n + 1, "train.json", NULL), run_has(r->dir, rel))) n++;
    if (!n) return;
    raw(r, "<h2 id=\"eval\">Final evaluation</h2>\n<p>The best reward trained again with the task's "
           "full budget, one training per seed.</p>\n");
    svg_series ser[99];
    double *xs[99], *ys[99];
    char names[99][40];
    int ns = 0;
    raw(r, "<table>\n<tr><th>seed</th><th>fitness</th><th>final</th><th>steps</th><th>seconds</th></tr>\n");
    for (int s = 1; s <= n; s++) {
        run_eval_rel(rel, sizeof rel, s, "train.json", NULL);
        cJSON *tr = read_json(r, rel);
        buf_printf(&r->b, "<tr><td>%d</td>", s);
        buf_printf(&r->b, "<td class=\"num\">%.3f</td><td class=\"num\">%.3f</td><td class=\"num\">%.0f</td>"
                          "<td class=\"num\">%.1f</td></tr>\n", num(tr, "fitness", 0),
                   num(tr, "fitness_final", 0), num(tr, "steps", 0), num(tr, "seconds", 0));
        int k = tr ? fitness_series(tr, &xs[ns], &ys[ns]) : 0;
        if (k) {
            snprintf(names[ns], sizeof names[ns], "seed %d (%.3f)", s, num(tr, "fitness", 0));
            ser[ns] = (svg_series){names[ns], xs[ns], ys[ns], k, 0};
            ns++;
        }
        cJSON_Delete(tr);
    }
    raw(r, "</table>\n");
    if (ns) {
        svg_chart c = {"final evaluation: fitness during training, per seed", "steps", "fitness", 760, 300, 1, 1};
        svg_line_chart(&r->b, &c, ser, ns);
    }
    for (int i = 0; i < ns; i++) { free(xs[i]); free(ys[i]); }
}

static void compare_section(rep *r) {
    cJSON *c = read_json(r, "compare.json");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(c, "rewards");
    if (!cJSON_IsArray(rows)) { cJSON_Delete(c); return; }
    raw(r, "<h2 id=\"compare\">Compared with the sparse and human rewards</h2>\n<p>");
    html_printf(&r->b, "eureka compare: %d seeds x %.0f steps each. HNS = (F - F_sparse) / "
                "|F_human - F_sparse|.", inum(c, "seeds", 0), num(c, "steps", 0));
    raw(r, "</p>\n<table>\n<tr><th>reward</th><th>fitness</th><th>spread</th><th>HNS</th><th>per seed</th></tr>\n");
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        raw(r, "<tr><td>");
        html_text(&r->b, str(row, "reward"), 0);
        raw(r, "</td><td class=\"num\">");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(row, "mean");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(row, "hns");
        if (cJSON_IsNumber(m)) html_printf(&r->b, "%.3f", m->valuedouble);
        raw(r, "</td><td class=\"num\">");
        html_printf(&r->b, "%.3f", num(row, "spread", 0));
        raw(r, "</td><td class=\"num\">");
        if (cJSON_IsNumber(h)) html_printf(&r->b, "%.2f", h->valuedouble);
        raw(r, "</td><td>");
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(row, "fitness")) {
            if (cJSON_IsNumber(f)) html_printf(&r->b, "%.3f ", f->valuedouble);
            else raw(r, "failed ");
        }
        raw(r, "</td></tr>\n");
    }
    raw(r, "</table>\n");
    cJSON_Delete(c);
}

int report_write(const char *dir, char *path, size_t n, err_info *e) {
    rep r = {dir, {0}, 0, NULL, NULL};
    cJSON *run = run_read_json(dir, "run.json", e);
    if (!run) return err_wrap(e, "%s is not a search run", dir);
    buf_init(&r.b, REPORT_MAX_BYTES);
    r.n_it = run_count_iters(dir);
    iter_info *ii = calloc((size_t)r.n_it + 1, sizeof *ii);
    if (!ii) { cJSON_Delete(run); return err_set(e, ERR_NOMEM, "report: out of memory"); }
    for (int it = 1; it <= r.n_it; it++) iteration_info(&r, it, &ii[it]);
    cJSON *sum = read_json(&r, "summary.json");
    r.messages = read_json(&r, "messages.json");
    r.repeats = repeats_scan(dir);

    raw(&r, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>eureka: ");
    html_text(&r.b, dir, 0);
    raw(&r, "</title>\n<style>");
    raw(&r, css);
    raw(&r, "</style></head>\n<body>\n<h1>eureka run report</h1>\n");
    summary(&r, run, sum);
    char rel[RUN_PATH_MAX];
    if (run_best_policy_rel(dir, rel, sizeof rel, NULL) == ERR_OK)
        video(&r, rel, strncmp(rel, "eval/", 5) == 0 ? "the best policy: the final evaluation's best seed"
                                                     : "the best policy: the search's best candidate");
    raw(&r, "<h2>Iterations</h2>\n");
    iteration_table(&r, ii);
    best_section(&r, ii);
    eval_section(&r);
    compare_section(&r);
    int prev_it = 0, prev_s = -1;
    for (int it = 1; it <= r.n_it; it++) {
        iteration_section(&r, it, &ii[it], prev_it, prev_s);
        if (ii[it].best >= 0) { prev_it = it; prev_s = ii[it].best; }
    }
    raw(&r, "<p class=\"muted\">made by eureka report from the files of the run directory</p>\n"
            "</body></html>\n");
    cJSON_Delete(sum);
    cJSON_Delete(run);
    cJSON_Delete(r.messages);
    repeats_free(r.repeats);
    free(ii);
    int rc = ERR_OK;
    if (r.b.failed) rc = err_set(e, r.b.failed, "%s/report.html: %s", dir,
                                 r.b.failed == ERR_LIMIT ? "larger than its cap" : "out of memory");
    char *html = rc ? NULL : buf_take(&r.b);
    if (!rc && !html) rc = err_set(e, ERR_NOMEM, "report: out of memory");
    if (!rc) rc = run_write_text(dir, "report.html", html, e);
    if (!rc && path) rc = run_path(path, n, dir, "report.html", e);
    free(html);
    buf_free(&r.b);
    return rc;
}
