// settings.h: a search's settings as run.json keeps them, and the checks they pass.
// The public half (defaults, seeds, the plan, --resume) is declared in search.h.
#ifndef EUREKA_SEARCH_SETTINGS_H
#define EUREKA_SEARCH_SETTINGS_H

#include "search/state.h"

// run.json of the search S starts.
cJSON *settings_json(const search *S);

// The options' own rules (usage errors).
int settings_check(const search_cfg *c, err_info *e);

// On resume: the connection is the user's; when it differs from the run's record, an
// event says so (the CLI shows it on one line; it stays in events.jsonl).
void settings_note_llm_change(search *S);

#endif
