// rt.c: the host functions generated reward code may call (see rt.h).
//
// libtcc 0.9.27 on x86_64 converts between unsigned 64-bit integers and float, double
// or long double by calling __fixuns?fdi / __floatundi?f (libtcc1.a), and copies or
// clears structs with memmove/memset. gcc does these conversions natively, so each
// helper is one C expression. C leaves out-of-range conversions undefined: here NaN
// gives 0, values at or above 2^64 saturate, and negative ones wrap like a signed
// conversion (as libtcc1 and the hardware do), so a reward cannot make the host
// itself execute undefined behaviour.
#include "reward/rt.h"

#include <math.h>
#include <string.h>

#include "reward/reward.h"

static unsigned long long fixunsxfdi(long double x) {
    if (x != x) return 0;
    if (x >= 18446744073709551616.0L) return ~0ULL;
    if (x >= 0) return (unsigned long long)x;
    if (x > -9223372036854775808.0L) return (unsigned long long)(long long)x;
    return 1ULL << 63;
}
static unsigned long long fixunsdfdi(double x) { return fixunsxfdi(x); }
static unsigned long long fixunssfdi(float x) { return fixunsxfdi(x); }
static double floatundidf(unsigned long long u) { return (double)u; }
static float floatundisf(unsigned long long u) { return (float)u; }
static long double floatundixf(unsigned long long u) { return (long double)u; }

static const rt_sym helpers[] = {
    {"__fixunsdfdi", (const void *)fixunsdfdi}, {"__fixunssfdi", (const void *)fixunssfdi},
    {"__fixunsxfdi", (const void *)fixunsxfdi}, {"__floatundidf", (const void *)floatundidf},
    {"__floatundisf", (const void *)floatundisf}, {"__floatundixf", (const void *)floatundixf},
    {"memcpy", (const void *)memcpy}, {"memmove", (const void *)memmove}, {"memset", (const void *)memset},
};

// Every function the prelude may declare, with the host address it binds to. A name
// here that the prelude does not declare is NOT given to libtcc.
static const rt_sym prelude_syms[] = {
    {"term", (const void *)reward_term},
    {"sqrt", (const void *)sqrt}, {"cbrt", (const void *)cbrt}, {"exp", (const void *)exp},
    {"expm1", (const void *)expm1}, {"log", (const void *)log}, {"log1p", (const void *)log1p},
    {"log2", (const void *)log2}, {"log10", (const void *)log10}, {"pow", (const void *)pow},
    {"sin", (const void *)sin}, {"cos", (const void *)cos}, {"tan", (const void *)tan},
    {"asin", (const void *)asin}, {"acos", (const void *)acos}, {"atan", (const void *)atan},
    {"atan2", (const void *)atan2}, {"sinh", (const void *)sinh}, {"cosh", (const void *)cosh},
    {"tanh", (const void *)tanh}, {"fabs", (const void *)fabs}, {"floor", (const void *)floor},
    {"ceil", (const void *)ceil}, {"round", (const void *)round}, {"fmod", (const void *)fmod},
    {"fmin", (const void *)fmin}, {"fmax", (const void *)fmax}, {"hypot", (const void *)hypot},
    {"copysign", (const void *)copysign},
};

const rt_sym *rt_prelude_sym(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof prelude_syms / sizeof prelude_syms[0]; i++)
        if (strlen(prelude_syms[i].name) == len && strncmp(prelude_syms[i].name, name, len) == 0)
            return &prelude_syms[i];
    return NULL;
}

const rt_sym *rt_helpers(int *n) {
    *n = (int)(sizeof helpers / sizeof helpers[0]);
    return helpers;
}
