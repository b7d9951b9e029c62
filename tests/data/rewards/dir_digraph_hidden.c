// expect: compile_error
// message: reward.c:3: digraphs ('%:')
/**/ %:/**/include "/etc/passwd"
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", s->cart_pos); }
