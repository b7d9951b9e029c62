// extract.h: find the reward program in an LLM reply.
//
// Replies are Markdown: prose, one or more fenced blocks (```c, ```C, ```cpp, bare
// ```), CRLF line ends, sometimes cut off mid-block. The block that defines
// compute_reward wins; with none, the reply is a failed sample with a message the
// model can act on.
#ifndef EUREKA_EXTRACT_H
#define EUREKA_EXTRACT_H

#include "util/err.h"

// The code of the reward in reply, LF line ends, owned by the caller; NULL and
// ERR_PARSE in e when there is none ("the reply has no ```c code block ...").
char *extract_code(const char *reply, err_info *e);

#endif
