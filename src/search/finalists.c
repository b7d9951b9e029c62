// finalists.c: which iteration winners are re-checked, and which one the final
// evaluation gets (finalists.h).
#include "search/finalists.h"

#include <string.h>

// Whether f[i] comes before f[j]: higher judged, then the earlier iteration.
static int before(const finalist *f, int i, int j) {
    if (f[i].judged != f[j].judged) return f[i].judged > f[j].judged;
    return f[i].iteration < f[j].iteration;
}

int finalists_choose(const finalist *f, int n, int max, int *out) {
    if (max > FINALISTS_MAX) max = FINALISTS_MAX;
    int k = 0;
    while (k < max) {
        int b = -1;
        for (int i = 0; i < n; i++) {
            int taken = 0;
            for (int j = 0; j < k && !taken; j++)
                taken = out[j] == i || (f[i].code && f[out[j]].code && strcmp(f[i].code, f[out[j]].code) == 0);
            if (!taken && (b < 0 || before(f, i, b))) b = i;
        }
        if (b < 0) break;
        out[k++] = b;
    }
    return k;
}

double finalists_mean(const finalist *f) { return 0.5 * (f->judged + f->again); }

int finalists_pick(const finalist *f, const int *chosen, int n) {
    int b = n > 0 ? chosen[0] : -1;
    for (int i = 1; i < n; i++)
        if (finalists_mean(&f[chosen[i]]) > finalists_mean(&f[b])) b = chosen[i];
    return b;
}
