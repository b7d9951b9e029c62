// stats.c: mean and spread, Wilson intervals, rank correlation (see stats.h).
#include "util/stats.h"

#include <math.h>
#include <stdlib.h>

void stats_mean_sd(const double *x, int n, double *mean, double *sd) {
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i];
    double m = n > 0 ? s / n : 0, ss = 0;
    for (int i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    if (mean) *mean = m;
    if (sd) *sd = n > 1 ? sqrt(ss / (n - 1)) : 0;
}

void stats_wilson(double p, double n, double *lo, double *hi) {
    if (!(n > 0)) { *lo = 0; *hi = 1; return; }
    if (p < 0) p = 0;
    if (p > 1) p = 1;
    const double z = 1.959963984540054;
    double z2 = z * z, den = 1 + z2 / n;
    double centre = (p + z2 / (2 * n)) / den;
    double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
}

typedef struct ranked { double v; int i; } ranked;

static int cmp_ranked(const void *a, const void *b) {
    double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
    return x < y ? -1 : x > y;
}

void stats_ranks(const double *x, int n, double *r) {
    ranked *t = malloc((size_t)n * sizeof *t);
    if (!t) { for (int i = 0; i < n; i++) r[i] = NAN; return; }
    for (int i = 0; i < n; i++) t[i] = (ranked){x[i], i};
    qsort(t, (size_t)n, sizeof *t, cmp_ranked);
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && t[j + 1].v == t[i].v) j++;
        double avg = (i + j) / 2.0 + 1;
        for (int k = i; k <= j; k++) r[t[k].i] = avg;
        i = j + 1;
    }
    free(t);
}

double stats_spearman(const double *x, const double *y, int n) {
    if (n < 2) return NAN;
    double *rx = malloc((size_t)n * sizeof *rx), *ry = malloc((size_t)n * sizeof *ry);
    double rho = NAN;
    if (rx && ry) {
        stats_ranks(x, n, rx);
        stats_ranks(y, n, ry);
        double mx, my, sx, sy, cov = 0;
        stats_mean_sd(rx, n, &mx, &sx);
        stats_mean_sd(ry, n, &my, &sy);
        for (int i = 0; i < n; i++) cov += (rx[i] - mx) * (ry[i] - my);
        cov /= n - 1;
        if (sx > 0 && sy > 0) rho = cov / (sx * sy);
    }
    free(rx);
    free(ry);
    return rho;
}
