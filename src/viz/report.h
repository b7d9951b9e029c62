// report.h: RUN/report.html, one self-contained page about a search run.
//
// What it shows: the settings and outcome (best fitness, final evaluation, tokens, time);
// the iteration table; for each iteration the fitness of every candidate against
// training steps on one chart, the candidates' status, and the iteration best's code,
// its diff to the previous iteration's best (hunks labelled as `eureka diff` labels
// them) and the reflection text the LLM was sent; the overall best reward with its diff
// to the best before it and its per-update reward components; the final evaluation; the
// `eureka compare` table with HNS when compare was run on the run; and the videos that
// `eureka render` or `search --video` left in the run (embedded when small, else linked).
//
// The page opens offline: no script, no external file but large videos, charts as
// inline SVG (svg.h). Every byte read from the run directory is untrusted and reaches the
// page only through html.h (sanitised, escaped). Works on finished, killed and running
// runs alike: whatever files exist are shown.
#ifndef EUREKA_REPORT_H
#define EUREKA_REPORT_H

#include <stddef.h>

#include "util/err.h"

#define REPORT_MAX_BYTES (256u << 20)           // the whole page
#define REPORT_EMBED_VIDEO_MAX (3u << 20)       // videos up to this size are embedded

// Build the report of run dir and write it to dir/report.html (path gets that path).
int report_write(const char *dir, char *path, size_t n, err_info *e);

#endif
