// prompt.c: template loading and rendering (see prompt.h).
//
// Why templates in files: the prompts are the part of EUREKA people tune most; keeping
// them out of the C code lets them be edited and diffed without a rebuild.
#include "search/prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/fs.h"
#include "reward/rcomp.h"

static int is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char *prompt_render_text(const char *tmpl, const char *file, const prompt_var *vars, int n,
                         err_info *e) {
    buf b;
    buf_init(&b, PROMPT_MAX_OUTPUT - 1);
    const char *p = tmpl;
    int rc = buf_add(&b, "", 0);
    while (rc == ERR_OK) {
        const char *open = strstr(p, "{{");
        if (!open) { rc = buf_add(&b, p, strlen(p)); break; }
        rc = buf_add(&b, p, (size_t)(open - p));
        if (rc) break;
        const char *name = open + 2, *q = name;
        while (is_name_char(*q)) q++;
        if (q == name || q[0] != '}' || q[1] != '}') {
            int line = 1;
            for (const char *c = tmpl; c < open; c++) line += *c == '\n';
            buf_free(&b);
            err_set(e, ERR_PARSE, "%s:%d: malformed placeholder (write {{name}} with a C identifier)",
                    file, line);
            return NULL;
        }
        size_t len = (size_t)(q - name);
        const char *val = NULL;
        int found = 0;
        for (int i = 0; i < n; i++)
            if (strlen(vars[i].name) == len && strncmp(vars[i].name, name, len) == 0) {
                found = 1;
                val = vars[i].value;
            }
        if (!found || !val) {
            buf_free(&b);
            err_set(e, ERR_PARSE, "%s: placeholder {{%.*s}} has no value here (remove it from the template)",
                    file, (int)len, name);
            return NULL;
        }
        rc = buf_add(&b, val, strlen(val));
        p = q + 2;
    }
    if (rc) {
        buf_free(&b);
        err_set(e, rc, "%s: rendered prompt is %s", file,
                rc == ERR_LIMIT ? "larger than the 1 MiB limit" : "out of memory");
        return NULL;
    }
    return buf_take(&b);
}

char *prompt_render(const char *name, const prompt_var *vars, int n, err_info *e) {
    char path[4096];
    const char *dir = getenv("EUREKA_PROMPTS");
    int rc = (dir && *dir) ? fs_path(path, sizeof path, e, "%s/%s.txt", dir, name)
                           : fs_path(path, sizeof path, e, "%s/prompts/%s.txt", fs_root(), name);
    if (rc) return NULL;
    err_info fe;
    char *tmpl = fs_read(path, PROMPT_MAX_TEMPLATE, NULL, &fe);
    if (!tmpl) {
        err_set(e, fe.code, "prompt template %s: %s (restore it from the source tree)", path,
                fe.code == ERR_NOTFOUND ? "missing" : fe.msg);
        return NULL;
    }
    char *out = prompt_render_text(tmpl, path, vars, n, e);
    free(tmpl);
    return out;
}

char *prompt_state_fill(const char *task_c, const char *file, err_info *e) {
    const char *b = strstr(task_c, "// BEGIN STATE");
    const char *end = b ? strstr(b, "// END STATE") : NULL;
    if (!b || !end) {
        err_set(e, ERR_PARSE, "%s: no '// BEGIN STATE' ... '// END STATE' section (see tasks/FORMAT.md)",
                file);
        return NULL;
    }
    b = strchr(b, '\n');
    if (!b || b > end) b = end; else b++;
    // Back up to the start of the END STATE line, so its indentation is dropped too.
    const char *stop = end;
    while (stop > b && stop[-1] != '\n') stop--;
    size_t n = (size_t)(stop - b);
    char *out = malloc(n + 1);
    if (!out) { err_set(e, ERR_NOMEM, "%s: out of memory", file); return NULL; }
    memcpy(out, b, n);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ')) out[--n] = '\0';
    return out;
}

char *prompt_system(err_info *e) {
    const char *prelude = rcomp_prelude(e);
    if (!prelude) return NULL;
    prompt_var v[] = {{"prelude", prelude}};
    return prompt_render("system", v, 1, e);
}

char *prompt_initial_user(const task_def *t, err_info *e) {
    char path[4096];
    char *desc = NULL, *env = NULL, *task_c = NULL, *fill = NULL, *out = NULL;
    if (task_file(t, "description.txt", path, sizeof path, e)) goto done;
    if (!(desc = fs_read(path, 64 * 1024, NULL, e))) goto done;
    if (task_file(t, "env.h", path, sizeof path, e)) goto done;
    if (!(env = fs_read(path, 64 * 1024, NULL, e))) goto done;
    if (task_file(t, "task.c", path, sizeof path, e)) goto done;
    if (!(task_c = fs_read(path, 1024 * 1024, NULL, e))) goto done;
    if (!(fill = prompt_state_fill(task_c, path, e))) goto done;
    size_t n = strlen(desc);
    while (n > 0 && (desc[n - 1] == '\n' || desc[n - 1] == ' ')) desc[--n] = '\0';
    n = strlen(env);
    while (n > 0 && env[n - 1] == '\n') env[--n] = '\0';
    prompt_var v[] = {{"task_name", t->name}, {"task_description", desc}, {"env_header", env},
                      {"state_fill", fill}};
    out = prompt_render("initial_user", v, 4, e);
done:
    free(desc); free(env); free(task_c); free(fill);
    return out;
}

// Join a rendered template with the next, separated by a blank line.
static char *join2(char *a, char *b, err_info *e) {
    if (!a || !b) { free(a); free(b); return NULL; }
    size_t na = strlen(a), nb = strlen(b);
    while (na > 0 && a[na - 1] == '\n') a[--na] = '\0';
    char *out = malloc(na + nb + 3);
    if (!out) { free(a); free(b); err_set(e, ERR_NOMEM, "prompt: out of memory"); return NULL; }
    memcpy(out, a, na);
    memcpy(out + na, "\n\n", 2);
    memcpy(out + na + 2, b, nb + 1);
    free(a); free(b);
    return out;
}

char *prompt_policy_feedback(const char *reflection, err_info *e) {
    prompt_var v[] = {{"reflection", reflection}};
    char *head = prompt_render("policy_feedback", v, 1, e);
    if (!head) return NULL;
    char *tips = prompt_render("code_feedback", NULL, 0, e);
    char *all = join2(head, tips, e);
    if (!all) return NULL;
    return join2(all, prompt_render("output_tip", NULL, 0, e), e);
}

char *prompt_execution_error(const char *status, const char *errors, err_info *e) {
    prompt_var v[] = {{"status", status}, {"errors", errors}};
    char *head = prompt_render("execution_error", v, 2, e);
    if (!head) return NULL;
    return join2(head, prompt_render("output_tip", NULL, 0, e), e);
}

char *prompt_human_feedback(const char *feedback, err_info *e) {
    prompt_var v[] = {{"feedback", feedback}};
    char *head = prompt_render("human_feedback", v, 1, e);
    if (!head) return NULL;
    return join2(head, prompt_render("output_tip", NULL, 0, e), e);
}
