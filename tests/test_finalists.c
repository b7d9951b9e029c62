// test_finalists.c: which iteration winners the re-check trains again, and the pick on
// the mean of the two judged values (search/finalists.h).
#include "search/finalists.h"
#include "testlib.h"

static void test_choose_order_and_duplicates(void) {
    finalist f[] = {
        {.iteration = 1, .sample = 0, .judged = 0.73, .code = "a"},
        {.iteration = 2, .sample = 5, .judged = 0.66, .code = "b"},
        {.iteration = 3, .sample = 2, .judged = 0.79, .code = "c"},
        {.iteration = 4, .sample = 6, .judged = 0.79, .code = "c"},    // the same reward again
        {.iteration = 5, .sample = 1, .judged = 0.74, .code = "d"},
    };
    int out[FINALISTS_MAX];
    int n = finalists_choose(f, 5, 2, out);
    CHECK(n == 2 && out[0] == 2 && out[1] == 4);    // 0.79 (the earlier), then 0.74: not c twice
    n = finalists_choose(f, 5, 8, out);
    CHECK(n == 4 && out[0] == 2 && out[1] == 4 && out[2] == 0 && out[3] == 1);
    CHECK(finalists_choose(f, 5, 0, out) == 0);
    CHECK(finalists_choose(f, 0, 2, out) == 0);
    finalist tie[] = {{.iteration = 2, .judged = 0.5, .code = "x"}, {.iteration = 1, .judged = 0.5, .code = "y"}};
    n = finalists_choose(tie, 2, 1, out);
    CHECK(n == 1 && out[0] == 1);                   // equal judged: the earlier iteration
}

static void test_pick_on_the_mean(void) {
    // The winner's curse: the highest judged value fell on a fresh seed.
    finalist f[] = {
        {.iteration = 3, .judged = 0.79, .again = 0.60, .code = "c"},
        {.iteration = 4, .judged = 0.74, .again = 0.72, .code = "d"},
    };
    int chosen[] = {0, 1};
    CHECK(finalists_mean(&f[0]) == 0.5 * (0.79 + 0.60));
    CHECK(finalists_pick(f, chosen, 2) == 1);
    f[0].judged = 0.75, f[0].again = 0.5;           // 0.625 each: a tie keeps the first chosen
    f[1].judged = 0.5, f[1].again = 0.75;
    CHECK(finalists_mean(&f[0]) == finalists_mean(&f[1]));
    CHECK(finalists_pick(f, chosen, 2) == 0);
    f[1].again = 0;                                 // its re-check failed: counted as 0
    CHECK(finalists_pick(f, chosen, 2) == 0);
    CHECK(finalists_pick(f, chosen, 0) == -1);
}

int main(void) {
    TEST_RUN(test_choose_order_and_duplicates);
    TEST_RUN(test_pick_on_the_mean);
    TEST_END();
}
