// test_sanitize.c: the sanitiser for untrusted text (src/util/sanitize.c).
#include <stdlib.h>

#include "util/sanitize.h"
#include "testlib.h"

#define SAN(s, f) san_str(out, sizeof out, (s), (f))

static void test_controls(void) {
    char out[256];
    // Window title, screen clear, clipboard write (OSC 52), bell: all shown as text.
    CHECK(strcmp(SAN("\x1b]0;pwned\x07", 0), "\\x1b]0;pwned\\x07") == 0);
    CHECK(strcmp(SAN("a\x1b[2Jb", 0), "a\\x1b[2Jb") == 0);
    CHECK(strcmp(SAN("\x1b]52;c;ZXZpbA==\x1b\\", 0), "\\x1b]52;c;ZXZpbA==\\x1b\\") == 0);
    CHECK(strcmp(SAN("cr\rlf\ntab\tdel\x7f", 0), "cr\\rlf\\ntab\\tdel\\x7f") == 0);
    CHECK(strcmp(SAN("l1\nl2\tx\r", SAN_NEWLINE | SAN_TAB), "l1\nl2\tx\\r") == 0);
    CHECK(strcmp(SAN("a\nb", SAN_TAB), "a\\nb") == 0);
    CHECK(strcmp(SAN(NULL, 0), "") == 0);
    CHECK(strcmp(SAN("plain text, \\x1b stays", 0), "plain text, \\x1b stays") == 0);
}

static void test_utf8(void) {
    char out[256];
    CHECK(strcmp(SAN("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == 0);
    // C1 controls: the one-byte CSI (U+009B) encoded in UTF-8, and as a raw byte.
    CHECK(strcmp(SAN("x\xc2\x9b" "2J", 0), "x\\u009b2J") == 0);
    CHECK(strcmp(SAN("x\x9b" "2J", 0), "x\\x9b2J") == 0);
    // Bidirectional override (Trojan Source) and the line separator.
    CHECK(strcmp(SAN("a\xe2\x80\xae" "b\xe2\x80\xa8", 0), "a\\u202eb\\u2028") == 0);
    // Overlong '/', a surrogate, past U+10FFFF, a cut sequence: byte by byte.
    CHECK(strcmp(SAN("\xc0\xaf", 0), "\\xc0\\xaf") == 0);
    CHECK(strcmp(SAN("\xed\xa0\x80", 0), "\\xed\\xa0\\x80") == 0);
    CHECK(strcmp(SAN("\xf4\x90\x80\x80", 0), "\\xf4\\x90\\x80\\x80") == 0);
    CHECK(strcmp(SAN("ok\xe2\x82", 0), "ok\\xe2\\x82") == 0);
    CHECK(strcmp(SAN("\xff\xfe", 0), "\\xff\\xfe") == 0);
}

static void test_caps(void) {
    char out[256];
    // Everything fits: no mark, even when the last byte fills the buffer.
    char small[8];
    CHECK(strcmp(san_str(small, sizeof small, "1234567", 0), "1234567") == 0);
    // Too long: cut at a character boundary and marked, within the buffer.
    CHECK(strcmp(san_str(small, sizeof small, "12345678", 0), "1234...") == 0);
    CHECK(strcmp(san_str(small, sizeof small, "12\x1b" "45678", 0), "12...") == 0);
    CHECK(strcmp(san_str(small, sizeof small, "1\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 0), "1\xe2\x82\xac...") == 0);
    char tiny[3];
    CHECK(strcmp(san_str(tiny, sizeof tiny, "abcdef", 0), "..") == 0);
    CHECK(san_str(tiny, 0, "abc", 0) == tiny);
    // Lines: a long line is cut with a mark, the next line starts afresh.
    buf b;
    buf_init(&b, 1000);
    CHECK(san_buf(&b, "abcdefghij\nxy\n", 14, SAN_NEWLINE, 4) == ERR_OK);
    CHECK(b.p && strcmp(b.p, "abcd...\nxy\n") == 0);
    buf_free(&b);
    // Without SAN_NEWLINE the whole text is one line.
    buf_init(&b, 1000);
    CHECK(san_buf(&b, "abcdefghij\nxy\n", 14, 0, 4) == ERR_OK && strcmp(b.p, "abcd...") == 0);
    buf_free(&b);
    // NUL bytes inside a body are shown; an empty input still gives a string.
    buf_init(&b, 1000);
    CHECK(san_buf(&b, "a\0b", 3, 0, 0) == ERR_OK && strcmp(b.p, "a\\x00b") == 0);
    buf_free(&b);
    buf_init(&b, 10);
    CHECK(san_buf(&b, "", 0, 0, 0) == ERR_OK && b.p && b.p[0] == '\0');
    buf_free(&b);
    // A buf's maximum bounds the output: 4x expansion of 1 MiB of ESC stays within 64 KiB.
    size_t n = 1u << 20;
    char *esc = malloc(n);
    memset(esc, 0x1b, n);
    buf_init(&b, 65536);
    CHECK(san_buf(&b, esc, n, 0, 1u << 30) == ERR_OK);
    CHECK(b.len <= 65536 && b.len > 65000 && strcmp(b.p + b.len - 3, "...") == 0);
    buf_free(&b);
    // Appending after existing text counts the room left.
    buf_init(&b, 12);
    buf_add(&b, "pre:", 4);
    CHECK(san_buf(&b, "0123456789", 10, 0, 0) == ERR_OK && strcmp(b.p, "pre:01234...") == 0);
    buf_free(&b);
    char *d = san_dup(esc, 3, 0, 0, 100);
    CHECK(d && strcmp(d, "\\x1b\\x1b\\x1b") == 0);
    free(d);
    free(esc);
    (void)out;
}

// Multi-MiB input with every kind of token runs through in one pass (no timing: the
// suite's own time limit is the bound).
static void test_large(void) {
    size_t n = 8u << 20;
    char *in = malloc(n);
    const char pat[] = "ab\x1b\xc2\x9b\xe2\x82\xac\xff\n\t";
    for (size_t i = 0; i < n; i++) in[i] = pat[i % (sizeof pat - 1)];
    char *d = san_dup(in, n, SAN_NEWLINE, 0, 64u << 20);
    CHECK(d && strlen(d) > n);
    CHECK(d && !strchr(d, 0x1b) && !strchr(d, '\t'));
    free(d);
    free(in);
}

int main(void) {
    TEST_RUN(test_controls);
    TEST_RUN(test_utf8);
    TEST_RUN(test_caps);
    TEST_RUN(test_large);
    TEST_END();
}
