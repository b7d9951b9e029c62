// replies.h: the replies of one request as a run keeps them (iterNN/responses-aA.json),
// and the replacement of replies that repeat a reward the search already trained.
//
// A model (or the offline mutator) hands back rewards the run already trained: the same
// edit of the same parent drawn twice, or an edit that undoes the last one. Trained
// again, such a reply measures an old reward on a new seed and takes the place of a new
// reward in the tournament. So before anything trains, each reply whose code is, up
// to comments and layout, a candidate's of the run (or an earlier reply's of the same
// request) is sent back: one more request, for as many replies as were repeats, whose
// last message says which answers repeated what. Up to REPLIES_ROUNDS such requests;
// what still repeats after them trains as it is (and `eureka show` marks it).
#ifndef EUREKA_REPLIES_H
#define EUREKA_REPLIES_H

#include <cjson/cJSON.h>

#include "llm/llm.h"
#include "search/repeats.h"
#include "util/err.h"

#define REPLIES_ROUNDS 2

// One reply as responses-aA.json holds it (NULL when out of memory).
cJSON *replies_item(const llm_reply *r);

typedef struct replies_ctx {
    llm_client *llm;
    const repeats *seen;    // the run's candidates before this request
    int iteration, base;    // reply i becomes candidate iteration/sample base+i
    int k;                  // the replies that count (the samples asked)
    const char *dir, *rel;  // where saved is kept: rewritten after each round
    // Told of each round ("repeats_replaced") and of a failed one ("repeats_kept").
    void (*on_event)(void *ctx, const char *type, cJSON *fields);
    void *ctx;
} replies_ctx;

// Replace the repeats among saved["replies"] (the request's replies; m/nm the messages
// it sent). Each round goes into saved["replacements"] (the note sent, the samples, and
// the replies it replaced, each with "same_as"); rounds an earlier run of the search
// saved are answered from there, not asked again. A request that fails leaves the
// repeats in place (they train, as they would have): only a failed write or memory
// fails the call.
int replies_refresh(const replies_ctx *c, const llm_msg *m, int nm, cJSON *saved, err_info *e);

#endif
