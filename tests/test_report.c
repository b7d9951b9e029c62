// test_report.c: the report's pieces: escaping (html.c), data URIs, SVG charts (svg.c),
// and report_write on a directory that is not a run. The whole page, with hostile run
// files and a real browser, is tests/e2e_report.sh.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "viz/html.h"
#include "viz/report.h"
#include "viz/svg.h"

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
    return n;
}

static void test_html_text(void) {
    buf b;
    buf_init(&b, 1 << 16);
    html_text(&b, "<a href='x'>&\"</a>\n\x1b[31m", 0);
    char *s = buf_take(&b);
    CHECK(s && strcmp(s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;\\n\\x1b[31m") == 0);
    free(s);
    html_text(&b, "line 1\n\tline 2 \xe2\x80\xae", 1);     // U+202E, a bidi override
    s = buf_take(&b);
    CHECK(s && strcmp(s, "line 1\n\tline 2 \\u202e") == 0);
    free(s);
    html_printf(&b, "%d <%s>", 3, "b");
    s = buf_take(&b);
    CHECK(s && strcmp(s, "3 &lt;b&gt;") == 0);
    free(s);
    const unsigned char bytes[] = {'M', 'a', 'n', 0xff};
    html_data_uri(&b, "video/mp4", bytes, 4);
    s = buf_take(&b);
    CHECK(s && strcmp(s, "data:video/mp4;base64,TWFu/w==") == 0);
    free(s);
    buf_free(&b);
}

static void test_svg(void) {
    double x[50], y[50], y2[3] = {1, NAN, 3};
    for (int i = 0; i < 50; i++) { x[i] = 1000.0 * i; y[i] = sin(i * 0.3); }
    svg_series s[2] = {{"sample <00>", x, y, 50, 1}, {"b", x, y2, 3, 0}};
    svg_chart c = {"fitness & steps", "steps", "fitness", 0, 0, 1, 1};
    buf b;
    buf_init(&b, 1 << 20);
    CHECK(svg_line_chart(&b, &c, s, 2) == ERR_OK);
    char *out = buf_take(&b);
    CHECK(out && strncmp(out, "<svg class=\"chart\"", 18) == 0);
    CHECK(count(out, "<polyline") == 2);
    // A marker with a tooltip on every point of a short series, every other one (and the
    // last) on this 50-point one; the NaN point is left out.
    CHECK_MSG(count(out, "<title>") == 26 + 2, "%d titles", count(out, "<title>"));
    CHECK_STR_CONTAINS(out, "<title>sample &lt;00&gt;: fitness 0.5646 at steps 2k</title>");
    CHECK_STR_CONTAINS(out, "fitness &amp; steps");
    CHECK(!strstr(out, "<00>"));
    free(out);
    svg_series none = {"x", x, y2 + 1, 1, 0};
    CHECK(svg_line_chart(&b, &c, &none, 1) == ERR_OK);
    out = buf_take(&b);
    CHECK_STR_CONTAINS(out, "no data");
    free(out);
    buf_free(&b);
}

static void test_not_a_run(void) {
    err_info e = {0};
    char path[256];
    CHECK(report_write("/nonexistent/run", path, sizeof path, &e) != ERR_OK);
    CHECK_STR_CONTAINS(e.msg, "is not a search run");
}

int main(void) {
    TEST_RUN(test_html_text);
    TEST_RUN(test_svg);
    TEST_RUN(test_not_a_run);
    TEST_END();
}
