// stats.h: the few statistics eureka reports, each computed in one place.
//
// Spread is always the SAMPLE standard deviation (n - 1), whatever the command.
#ifndef EUREKA_STATS_H
#define EUREKA_STATS_H

// Mean and sample standard deviation of x[0..n) (sd = 0 when n < 2).
void stats_mean_sd(const double *x, int n, double *mean, double *sd);

// Wilson score interval at ~95% (z = 1.96) for a success rate p over n trials.
void stats_wilson(double p, double n, double *lo, double *hi);

// Average ranks (1-based, ties share their mean) of x[0..n) into r.
void stats_ranks(const double *x, int n, double *r);

// Spearman rank correlation of x and y (average ranks for ties); NaN when n < 2 or a
// side is constant.
double stats_spearman(const double *x, const double *y, int n);

#endif
