// html.h: untrusted text into HTML, and binary files into data: URIs.
//
// Everything a report shows from a run directory (reward code, LLM replies, reflection
// text, error messages, component names) was written by someone else. It goes through
// the one sanitiser (util/sanitize.h: controls, bidi overrides and invalid UTF-8 made
// visible, lines capped) and then HTML escaping (& < > " '), so it can stand in element
// text and in quoted attributes alike and never becomes markup.
#ifndef EUREKA_HTML_H
#define EUREKA_HTML_H

#include <stddef.h>

#include "util/buf.h"

#define HTML_TEXT_MAX (4u << 20)    // bytes of one piece of text after sanitising

// Append the sanitised, escaped form of the NUL-terminated s (NULL reads as "") to b.
// multiline keeps newlines and tabs (code, reflections); otherwise they show as \n.
int html_text(buf *b, const char *s, int multiline);

// Append printf-formatted text, escaped (for numbers and our own words mixed with
// untrusted strings). The formatted text is capped at 4 KB.
int html_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Append "data:<mime>;base64,..." for n bytes at data.
int html_data_uri(buf *b, const char *mime, const unsigned char *data, size_t n);

#endif
