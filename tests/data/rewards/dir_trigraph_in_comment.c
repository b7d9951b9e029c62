// expect: compile_error
// message: reward.c:4: '?
// With trigraphs, question-question-slash is a backslash that joins the next line into this comment.
// comment ??/
#include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
