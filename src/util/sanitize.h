// sanitize.h: the one sanitiser for untrusted text.
//
// Text that someone else wrote (LLM server errors and model names, worker output, files
// of a shared run directory, replayed replies) goes through here before it reaches a
// terminal, a report, a run file or the LLM. What could steer a terminal or a reader is
// made visible instead of being interpreted:
//   - C0 controls, DEL, and ESC as `\x1b` (so `ESC ]0;title BEL` shows as text); CR, LF
//     and TAB as `\r`, `\n`, `\t` unless the caller keeps newlines or tabs;
//   - C1 controls (U+0080-U+009F, e.g. the one-byte CSI U+009B), bidirectional overrides
//     and isolates, and the Unicode line/paragraph separators as `\u009b`, `\u202e`, ...;
//   - bytes that are not valid UTF-8 (stray continuation bytes, overlong forms,
//     surrogates, cut sequences) as `\xff`, one byte at a time.
// Valid printable UTF-8 stays as it is. Every line is capped (the rest of a long line is
// replaced with "..."), and so is the whole output: a fixed buffer's size or a buf's
// maximum, cut at a character boundary with "...". The result is for reading, not for
// decoding back: a backslash in the input stays a single backslash.
#ifndef EUREKA_SANITIZE_H
#define EUREKA_SANITIZE_H

#include <stddef.h>

#include "util/buf.h"

#define SAN_NEWLINE 1u  // keep '\n' as a line break (multi-line text: code, reports, logs)
#define SAN_TAB     2u  // keep '\t'

// Default cap on one output line, in bytes (a line longer than this ends with "...").
#define SAN_LINE_MAX 4096

// Sanitise the NUL-terminated src (NULL reads as "") into dst (cap bytes, always
// NUL-terminated when cap > 0), lines capped at SAN_LINE_MAX. Returns dst, so that a
// call can stand in a printf argument list.
const char *san_str(char *dst, size_t cap, const char *src, unsigned flags);

// Append the sanitised form of n bytes at src (NUL bytes included) to b, lines capped at
// line_max bytes (0: SAN_LINE_MAX), the whole within b's maximum. ERR_OK (the output may
// have been cut, marked "..."), ERR_NOMEM, or b's earlier sticky failure.
int san_buf(buf *b, const void *src, size_t n, unsigned flags, size_t line_max);

// A sanitised copy of n bytes at src, at most max bytes long, owned by the caller
// (NULL only without memory).
char *san_dup(const void *src, size_t n, unsigned flags, size_t line_max, size_t max);

#endif
