// reward.c: term() for generated rewards. Runs once per component per environment
// step, so it stays small: pointer comparison first (the same string literal comes
// back every step), strcmp only for a name seen through another pointer.
#include "reward/reward.h"

#include <string.h>

void reward_terms_clear(reward_terms *t) {
    t->n = 0;
    t->overflow = 0;
    t->bad_name = 0;
    t->n_prev = 0;
    t->in_order = 1;
}

void reward_terms_next(reward_terms *t) {
    // names[0..n-1] hold this call's names, in order (both paths below keep that true).
    t->n_prev = t->n >= 0 && t->n <= REWARD_MAX_TERMS ? t->n : 0;
    t->n = 0;
    t->overflow = 0;
    t->bad_name = 0;
    t->in_order = 1;
}

int reward_name_ok(const char *s) {
    if (!s) return 0;
    // Reads at most REWARD_NAME_MAX bytes: the name may be a copy the reward overwrote.
    for (int n = 0; n < REWARD_NAME_MAX; n++) {
        unsigned c = (unsigned char)s[n];
        if (c == 0) return n > 0;
        if (!((c | 32u) - 'a' < 26u || c == '_' || (n > 0 && c - '0' < 10u))) return 0;
    }
    return 0;
}

int reward_slot_ok(const char slot[REWARD_NAME_MAX]) {
    return memchr(slot, '\0', REWARD_NAME_MAX) != NULL && reward_name_ok(slot);
}

double reward_term(reward_terms *t, const char *name, double value) {
    if (!t) return value;
    int k = t->n;
    // Counts the reward overwrote: touch nothing (reward_terms_valid reports it).
    if (k < 0 || k > REWARD_MAX_TERMS || t->n_prev < 0 || t->n_prev > REWARD_MAX_TERMS) return value;
    // Fast path: the k-th name of this call is the k-th of the previous one. Names of a
    // call are distinct, so it cannot repeat one recorded earlier in this call.
    if (t->in_order && k < t->n_prev && name && strcmp(name, t->names[k]) == 0) {
        t->name[k] = t->names[k];
        t->value[k] = value;
        t->n = k + 1;
        return value;
    }
    t->in_order = 0;
    if (!reward_name_ok(name)) { t->bad_name = 1; return value; }
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0) { t->value[i] = value; return value; }
    if (t->n >= REWARD_MAX_TERMS) { t->overflow = 1; return value; }
    // Copy: the name may live in the candidate's stack frame, gone after the call.
    strcpy(t->names[k], name);  // reward_name_ok bounds it to REWARD_NAME_MAX - 1
    t->name[k] = t->names[k];
    t->value[k] = value;
    t->n = k + 1;
    return value;
}

int reward_terms_valid(const reward_terms *t) {
    if (!t || t->n < 0 || t->n > REWARD_MAX_TERMS) return 0;
    for (int k = 0; k < t->n; k++)
        if (t->name[k] != t->names[k] || !reward_name_ok(t->names[k]))
            return 0;
    return 1;
}
