// prompt.h: the text the LLM sees, from editable templates in prompts/*.txt.
//
// A template is plain text with named placeholders {{name}}. Rendering replaces each
// placeholder with the value given for it; a placeholder with no value, an unknown
// template or an unterminated {{ is an error that names the file and the placeholder,
// so editing a prompt can never silently send "{{task_description}}" to a model.
//
// Templates (prompts/<name>.txt): system, initial_user, policy_feedback, code_feedback,
// execution_error, human_feedback, output_tip.
#ifndef EUREKA_PROMPT_H
#define EUREKA_PROMPT_H

#include <stddef.h>

#include "util/err.h"
#include "task/task.h"

#define PROMPT_MAX_TEMPLATE (64 * 1024)
#define PROMPT_MAX_OUTPUT (1024 * 1024)

typedef struct prompt_var {
    const char *name;       // placeholder name, without braces
    const char *value;      // text put in its place (NULL = no value)
} prompt_var;

// Render template text (file names it in errors). Returns an owned string.
char *prompt_render_text(const char *tmpl, const char *file, const prompt_var *vars, int n,
                         err_info *e);

// Render prompts/<name>.txt under fs_root() (or $EUREKA_PROMPTS if set).
char *prompt_render(const char *name, const prompt_var *vars, int n, err_info *e);

// The lines strictly between "// BEGIN STATE" and "// END STATE" in task_c (owned);
// ERR_PARSE naming `file` when the markers are missing.
char *prompt_state_fill(const char *task_c, const char *file, err_info *e);

// The system prompt: role, reward signature, the prelude, output rules.
char *prompt_system(err_info *e);

// The first user message: task description + env.h + state fill (never the reward or
// the fitness).
char *prompt_initial_user(const task_def *t, err_info *e);

// Feedback after a successful training: policy feedback header + reflection + tips.
char *prompt_policy_feedback(const char *reflection, err_info *e);

// Feedback after a failed candidate: status name ("compile_error", ...) and its errors.
char *prompt_execution_error(const char *status, const char *errors, err_info *e);

// A person's free-text feedback in place of the automatic reflection.
char *prompt_human_feedback(const char *feedback, err_info *e);

#endif
