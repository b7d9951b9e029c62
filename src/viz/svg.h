// svg.h: line charts as inline SVG, for the run report.
//
// Why generated SVG rather than a JavaScript charting library: the report must open
// offline as one file, and SVG written by C needs no dependency, no script (so nothing
// can fail at view time), scales with the page, and is plain text a test can check.
// Values are readable by hovering: every marker carries a <title> tooltip with the
// series name and the exact x and y; axes have ticks at 1-2-5 steps and a legend names
// each series. Series names come from run files: they are escaped (html.h).
#ifndef EUREKA_SVG_H
#define EUREKA_SVG_H

#include "util/buf.h"

#define SVG_MAX_POINTS 400      // points drawn per series (longer series are thinned)

typedef struct svg_series {
    const char *name;           // legend and tooltips
    const double *x, *y;        // n points; non-finite ones are skipped
    int n;
    int emphasis;               // drawn thicker, in front (the best)
} svg_series;

typedef struct svg_chart {
    const char *title;          // above the plot (may be NULL)
    const char *x_label, *y_label;
    int width, height;          // pixels (0: 560 x 300)
    int y_from_zero;            // the y axis includes 0
    int legend;                 // a legend right of the plot
} svg_chart;

// Append <svg class="chart"> with the series drawn as lines and hoverable markers
// (every point when a series has at most 40, else up to 40 spread along it).
int svg_line_chart(buf *b, const svg_chart *c, const svg_series *s, int n_series);

// The colour of series i (a 10-colour palette, repeating), "#rrggbb".
const char *svg_color(int i);

#endif
