// final.h: the end of a search: the overall best (best.c, best.json), the re-check of the
// iteration winners on a fresh seed (finalists.h), and the final evaluation of the best.
#ifndef EUREKA_SEARCH_FINAL_H
#define EUREKA_SEARCH_FINAL_H

#include "search/state.h"

// Make w the overall best: best.c, best.json (with the re-check's table when there is
// one: owned, consumed) and the summary's numbers.
int final_set_best(search *S, const finalist *w, cJSON *finalists, err_info *e);

// The re-check: the best --finalists iteration winners (S->wins) trained again on a fresh
// seed; the overall best becomes the one with the highest mean of its two judged values.
int final_recheck(search *S, err_info *e);

// The final evaluation: best_src trained with seeds 1..--eval-seeds, into eval/ and the
// summary's numbers.
int final_eval(search *S, const char *best_src, err_info *e);

#endif
