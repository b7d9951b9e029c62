// testlib.h: the whole unit-test framework. Each test program ends with
// "N passed, N failed" and exits non-zero if anything failed.
#ifndef EUREKA_TESTLIB_H
#define EUREKA_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int tl_passed, tl_failed;

#define CHECK(cond) do { \
    if (cond) tl_passed++; \
    else { tl_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_MSG(cond, ...) do { \
    if (cond) tl_passed++; \
    else { tl_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
           fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define CHECK_STR_CONTAINS(hay, needle) \
    CHECK_MSG((hay) && strstr((hay), (needle)), "'%s' does not contain '%s'", (hay) ? (hay) : "(null)", (needle))

#define TEST_RUN(fn) do { fprintf(stderr, "-- %s\n", #fn); fn(); } while (0)

#define TEST_END() do { \
    printf("%d passed, %d failed\n", tl_passed, tl_failed); \
    return tl_failed ? 1 : 0; \
} while (0)

#endif
