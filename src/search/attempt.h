// attempt.h: one attempt of an iteration: the LLM's replies (asked for, or read back from
// the run), a successive-halving tournament over their rewards, and every candidate's
// files (response.md, reward.c, rungs, train.json, status.json, feedback.txt).
#ifndef EUREKA_SEARCH_ATTEMPT_H
#define EUREKA_SEARCH_ATTEMPT_H

#include "search/state.h"

// The replies of (iteration, attempt): from responses-aA.json if a previous run got
// them, else from the LLM (saved before anything else happens); repeats of trained
// rewards are replaced first (replies.h). texts and trunc are the caller's to free.
int attempt_replies(search *S, int it, int attempt, char ***texts, int **trunc, int *n, err_info *e);

// Extract, compile and train the n replies of one attempt (sample indices base..) into
// S->cands; takes the texts (each set to NULL). A resumed run reuses what it finished.
int attempt_run(search *S, int it, int base, char **texts, int *trunc, int n, err_info *e);

// Frees S->cands.
void attempt_free(search *S);

// How far a failed candidate got (its status): the further, the more its error says.
int attempt_status_rank(const char *status);

// The execution-error text the LLM gets for failed candidate k (the caller frees it).
char *attempt_error_feedback(const cand *k, err_info *e);

#endif
