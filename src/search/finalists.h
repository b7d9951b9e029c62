// finalists.h: the re-check before the final evaluation (docs/search.md, "Finalists").
//
// Each iteration's winner was chosen as the maximum of several noisy trainings, so its
// judged fitness reads high (the winner's curse), and the overall best is the maximum
// of those maxima. Before the expensive final evaluation, the best few iteration winners
// are trained once more on a fresh seed, and the pick rests on the mean of the two
// judged values: the second one was selected on nothing, so it is not read high.
#ifndef EUREKA_FINALISTS_H
#define EUREKA_FINALISTS_H

#define FINALISTS_MAX 8

typedef struct finalist {
    int iteration, sample;
    double judged;          // the judge's robust statistic at the candidate's own seed
    double again;           // the same statistic from the re-check training (a failed one: 0)
    double fitness;         // its best checkpoint and the judged value's interval, at its
    double ci_low, ci_high; // own seed (what best.json reports)
    char *code;             // its reward (owned by whoever filled the array)
} finalist;

// Into out (at most max indices into f): the iteration winners to re-check, highest
// judged first (ties: the earlier iteration); a reward identical to one already chosen
// is skipped. Returns how many.
int finalists_choose(const finalist *f, int n, int max, int *out);

// The mean of a finalist's two judged values, which the pick rests on.
double finalists_mean(const finalist *f);

// The pick among the chosen (indices into f, in finalists_choose's order): the highest
// mean; on a tie the one chosen first.
int finalists_pick(const finalist *f, const int *chosen, int n);

#endif
