// reward.h: the host side of the reward ABI (see prelude.h for the side the
// generated code sees).
//
// A compiled candidate is a reward_fn. The host owns reward_terms; the candidate only
// ever sees an opaque pointer and records components through term(), which is bound to
// reward_term() when the candidate is compiled.
#ifndef EUREKA_REWARD_H
#define EUREKA_REWARD_H

#define REWARD_MAX_TERMS 16
#define REWARD_NAME_MAX 32      // longest component name kept, including the NUL

typedef struct reward_terms {
    int n;                                   // distinct components recorded this call
    const char *name[REWARD_MAX_TERMS];      // name[k] points at names[k] (our copy)
    double value[REWARD_MAX_TERMS];
    int overflow;                            // a 17th distinct name was recorded
    int bad_name;                            // a name that is not a C identifier (or too long)
    // A reward records the same components in the same order every step: names[] keeps
    // the previous call's names so term() usually costs one strcmp (reward_terms_next).
    int n_prev, in_order;
    char names[REWARD_MAX_TERMS][REWARD_NAME_MAX];
} reward_terms;

// The candidate's compute_reward, with the task's env_state behind the void pointer.
typedef double (*reward_fn)(const void *state, reward_terms *t);

// Forget everything, including the name cache (use on a fresh or local reward_terms).
void reward_terms_clear(reward_terms *t);

// Start the next call of the same reward: forget the values, keep the name cache.
void reward_terms_next(reward_terms *t);

// 1 if name is a component name term() accepts: a C identifier of at most
// REWARD_NAME_MAX - 1 characters.
int reward_name_ok(const char *name);

// 1 if a name slot read back from outside (a saved training) holds such a name,
// NUL-terminated within the slot.
int reward_slot_ok(const char slot[REWARD_NAME_MAX]);

// Implementation of the prelude's term(): record (or overwrite) a component, return value.
double reward_term(reward_terms *t, const char *name, double value);

// 1 if t still holds only what term() recorded: a count in range, every name[k] at its
// own copy, each a C identifier. Check after every call: reward_terms lives in memory
// the reward can write, so what it holds is re-validated before anyone reads a name.
int reward_terms_valid(const reward_terms *t);

// 1 if s is a component name term() accepts: a C identifier of at most
// REWARD_NAME_MAX - 1 characters.
int reward_name_ok(const char *s);

#endif
