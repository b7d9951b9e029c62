// reward.c: term() for generated rewards. Runs once per component per environment
// step, so it stays small: pointer comparison first (the same string literal comes
// back every step), strcmp only for a name seen through another pointer.
#include "reward.h"

#include <string.h>

void reward_terms_clear(reward_terms *t) {
    t->n = 0;
    t->overflow = 0;
    t->bad_name = 0;
}

static int is_identifier(const char *s) {
    if (!s) return 0;
    int n = 0;
    for (const char *p = s; *p; p++, n++) {
        int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
        int digit = *p >= '0' && *p <= '9';
        if (!(alpha || (digit && n > 0)) || n >= REWARD_NAME_MAX - 1) return 0;
    }
    return n > 0;
}

double reward_term(reward_terms *t, const char *name, double value) {
    if (!t) return value;
    for (int i = 0; i < t->n; i++)
        if (t->name[i] == name) { t->value[i] = value; return value; }
    if (!is_identifier(name)) { t->bad_name = 1; return value; }
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0) { t->value[i] = value; return value; }
    if (t->n >= REWARD_MAX_TERMS) { t->overflow = 1; return value; }
    t->name[t->n] = name;
    t->value[t->n] = value;
    t->n++;
    return value;
}
