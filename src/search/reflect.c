// reflect.c: EUREKA's reward reflection text from a train.json object (see reflect.h).
//
// EUREKA samples every max(n / 10, 1)-th value of each logged series (Python's
// values[::freq]) and prints it as a list of strings with two decimals, then the max,
// mean and min over the whole series. We do the same, with one change: when every
// value of a series is below 0.1 in magnitude, two decimals would print a wall of
// '0.00' that tells the LLM nothing, so such a series gets two significant digits
// (for example '0.0031'); very small values switch to exponent notation ('3.1e-09').
#include "search/reflect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define REFLECT_MAX (64 * 1024)   // cap on the text (16 components x ~200 bytes fit easily)

// printf format for a series whose largest magnitude is mx: 2 decimals, or enough for
// two significant digits of small values.
static void number_format(double mx, char *fmt, size_t n) {
    if (!(mx > 0) || mx >= 0.1 || !isfinite(mx)) { snprintf(fmt, n, "%%.2f"); return; }
    int dec = (int)floor(-log10(mx)) + 2;
    if (dec > 8) snprintf(fmt, n, "%%.1e");
    else snprintf(fmt, n, "%%.%df", dec);
}

// One line: "name: ['a', 'b', ...], Max: x, Mean: y, Min: z".
static int series_line(buf *b, const char *name, const cJSON *arr, err_info *e) {
    if (!cJSON_IsArray(arr)) return err_set(e, ERR_PARSE, "train.json: '%s' is not a list", name);
    int n = cJSON_GetArraySize(arr);
    double mx = -INFINITY, mn = INFINITY, sum = 0, amax = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *it = cJSON_GetArrayItem(arr, i);
        if (!cJSON_IsNumber(it))
            return err_set(e, ERR_PARSE, "train.json: '%s' holds a non-number at %d", name, i);
        double x = it->valuedouble;
        if (x > mx) mx = x;
        if (x < mn) mn = x;
        if (fabs(x) > amax) amax = fabs(x);
        sum += x;
    }
    if (n == 0) {
        buf_printf(b, "%s: [], no values recorded", name);
        return ERR_OK;
    }
    char f[16], item[64];
    number_format(amax, f, sizeof f);
    int freq = n / 10 > 1 ? n / 10 : 1;
    buf_printf(b, "%s: [", name);
    for (int i = 0; i < n; i += freq) {
        snprintf(item, sizeof item, f, cJSON_GetArrayItem(arr, i)->valuedouble);
        buf_printf(b, "%s'%s'", i ? ", " : "", item);
    }
    buf_printf(b, "], Max: ");
    buf_printf(b, f, mx);
    buf_printf(b, ", Mean: ");
    buf_printf(b, f, sum / n);
    buf_printf(b, ", Min: ");
    buf_printf(b, f, mn);
    return ERR_OK;
}

char *reflect_text(const cJSON *train, err_info *e) {
    const cJSON *comp = cJSON_GetObjectItemCaseSensitive(train, "components");
    const cJSON *ck = cJSON_GetObjectItemCaseSensitive(train, "checkpoints");
    const cJSON *fit = cJSON_GetObjectItemCaseSensitive(ck, "fitness");
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(train, "episode_length");
    if (!cJSON_IsObject(train) || !cJSON_IsObject(comp) || !cJSON_IsArray(fit) ||
        !cJSON_IsArray(len)) {
        err_set(e, ERR_PARSE, "not a train.json object (needs components, checkpoints.fitness "
                "and episode_length)");
        return NULL;
    }
    buf b;
    buf_init(&b, REFLECT_MAX - 1);
    int rc = ERR_OK;
    const cJSON *c;
    cJSON_ArrayForEach(c, comp) {
        if (!c->string) continue;
        if ((rc = series_line(&b, c->string, c, e))) break;
        buf_printf(&b, "\n");
    }
    if (!rc && !(rc = series_line(&b, "task_score", fit, e))) {
        buf_printf(&b, "\n");
        rc = series_line(&b, "episode_lengths", len, e);
    }
    if (!rc && b.failed == ERR_NOMEM) rc = err_set(e, ERR_NOMEM, "out of memory for the reflection");
    if (!rc && b.failed) rc = err_set(e, ERR_LIMIT, "reflection longer than %d bytes", REFLECT_MAX);
    if (rc) { buf_free(&b); return NULL; }
    return buf_take(&b);
}

int reflect_stride(const cJSON *train) {
    const cJSON *len = cJSON_GetObjectItemCaseSensitive(train, "episode_length");
    if (!cJSON_IsArray(len)) return 0;
    int n = cJSON_GetArraySize(len);
    return n / 10 > 1 ? n / 10 : 1;
}
